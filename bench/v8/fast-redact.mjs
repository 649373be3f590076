#!/usr/bin/env node
// fast-redact.mjs times fast-redact (pino's redactor) over a JSON document,
// bytes in to bytes out, for comparison with bench.mjs. See README.md.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { numberOption, result, timeRuns, usageError } from './timing.mjs';

const usage = `usage: node bench/v8/fast-redact.mjs --paths 'a.b,c[*].d' --in FILE
       [--iters N] [--max-ms M] [--warmup K] [--warmup-ms W] [--censor TEXT] [--check FILE] [--out FILE]

Each run: the document's bytes decoded as UTF-8, JSON.parse, fast-redact's
redaction of the paths (censor TEXT, default [REDACTED]; serialize: false,
so it only mutates the parsed object), JSON.stringify, and the result
encoded back to UTF-8 bytes. One cold run, K warm-up runs (default 50, at
most W ms, default 1000), then timed runs until N (default 1000) or M ms
(default 3000). Prints, as its last line, one JSON object: median_ms, ms,
warmup, cold, bytes, runtime "fast-redact", node, version, out_bytes.

  --check FILE  a JSON document (e.g. Veil's output): exit 1 unless the
                output parses to an equal value (formatting may differ)
  --out FILE    write the output there

fast-redact is installed with: npm ci --prefix bench/v8`;

let args;
try {
  args = parseArgs({
    options: {
      paths: { type: 'string' }, in: { type: 'string' }, censor: { type: 'string', default: '[REDACTED]' },
      iters: { type: 'string' }, 'max-ms': { type: 'string' }, warmup: { type: 'string' }, 'warmup-ms': { type: 'string' },
      check: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (err) {
  usageError(err.message, usage);
}
if (args.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
if (!args.paths || !args.in) usageError('--paths and --in are required', usage);

const require = createRequire(import.meta.url);
let fastRedact;
let version;
try {
  fastRedact = require('fast-redact');
  version = require('fast-redact/package.json').version;
} catch {
  process.stderr.write('fast-redact.mjs: skipped: the fast-redact package is not installed (npm ci --prefix bench/v8)\n');
  process.exit(3);
}

const die = (msg) => {
  process.stderr.write(`fast-redact.mjs: ${msg}\n`);
  process.exit(1);
};

const doc = fs.readFileSync(args.in);
const redact = fastRedact({ paths: args.paths.split(',').map((p) => p.trim()).filter(Boolean), censor: args.censor, serialize: false });
const run = () => {
  const value = JSON.parse(doc.toString('utf8'));
  redact(value);
  return Buffer.from(JSON.stringify(value), 'utf8');
};

const expected = args.check === undefined ? null : JSON.parse(fs.readFileSync(args.check, 'utf8'));
let first = null;
const verify = (out) => {
  if (first !== null) return;
  first = out;
  if (expected !== null && !isDeepStrictEqual(JSON.parse(out.toString('utf8')), expected)) {
    if (args.out) fs.writeFileSync(args.out, out);
    die(`output differs from ${args.check} (compared as parsed JSON)`);
  }
};

const timed = timeRuns({
  run, verify, iters: numberOption(args, 'iters', 1000, usage), maxMs: numberOption(args, 'max-ms', 3000, usage),
  warmup: numberOption(args, 'warmup', 50, usage), warmupMs: numberOption(args, 'warmup-ms', 1000, usage),
});
if (args.out) fs.writeFileSync(args.out, first);
process.stdout.write(`${JSON.stringify(result(timed, doc.length, 'fast-redact', { version, out_bytes: first.length }))}\n`);
