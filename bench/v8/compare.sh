#!/usr/bin/env bash
# compare.sh: fast-redact against Veil under V8 on the user-records document,
# with equivalent rules (ten fields of every user redacted to "[REDACTED]"),
# at 1 KB and 16 KB. Prints each side's JSON line and the ratio of medians.
# Skips, saying why, when node or the fast-redact package is missing.
#
#	make wasm && bench/v8/compare.sh [build/veil.wasm] [--max-ms M]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
plugin=build/veil.wasm
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then
  plugin=$1
  shift
fi
if ! command -v node >/dev/null; then
  echo "compare.sh: skipped: node is not on PATH" >&2
  exit 0
fi
if [ ! -f "$here/node_modules/fast-redact/package.json" ]; then
  echo "compare.sh: skipped: fast-redact is not installed (npm ci --prefix bench/v8)" >&2
  exit 0
fi
if [ ! -f "$plugin" ]; then
  echo "compare.sh: $plugin not found (make wasm)" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fields="email phone ssn card_number address.street address.zip name notes created_at tags"
veil_paths=$(for f in $fields; do printf '"$.users[*].%s", ' "$f"; done)
printf 'rules:\n  - {id: all, select: {paths: [%s]}, action: redact}\n' "${veil_paths%, }" > "$tmp/rules.yaml"
redact_paths=$(for f in $fields; do printf 'users[*].%s,' "$f"; done)
for size in 1024 16384; do
  node "$here/users.mjs" "$size" > "$tmp/doc.json"
  veil=$(node "$here/bench.mjs" --plugin "$plugin" --rules "$tmp/rules.yaml" --in "$tmp/doc.json" --out "$tmp/veil.json" "$@" | tail -n 1)
  fast=$(node "$here/fast-redact.mjs" --paths "${redact_paths%,}" --in "$tmp/doc.json" --check "$tmp/veil.json" "$@" | tail -n 1)
  echo "$veil"
  echo "$fast"
  node -e 'const [v, f] = process.argv.slice(1).map(JSON.parse);
    console.log(`# ${v.bytes} bytes: veil under v8 ${(v.median_ms * 1000).toFixed(1)} µs per exchange, ` +
      `fast-redact ${(f.median_ms * 1000).toFixed(1)} µs per document: ${(v.median_ms / f.median_ms).toFixed(2)}×`);' "$veil" "$fast"
done
