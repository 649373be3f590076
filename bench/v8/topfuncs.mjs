#!/usr/bin/env node
// topfuncs.mjs prints the functions with the most self time in a V8
// .cpuprofile (node --cpu-prof, or bench.mjs --profile). Wasm functions
// carry the names of the module's name section (Go's package.function).

import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { usageError } from './timing.mjs';

const usage = `usage: node bench/v8/topfuncs.mjs [--top N] [--wasm] [--packages] [--inclusive REGEXP] FILE.cpuprofile

Prints the N (default 25) functions with the most self time: self ms, share
of all sampled time, and the kind (wasm, js, or V8's own entries such as
(garbage collector) and (program)). Functions of the same name and script
are added up. --wasm lists wasm functions only (shares stay of all time).
--packages adds up wasm functions by Go package instead (the name up to its
first dot, or past a domain: runtime, encoding_json,
github.com_veilproxy_veil_rules).
--inclusive lists instead the functions whose name matches REGEXP by
inclusive time (themselves and all they call; a recursive function counts
once per sample). A sample's time is the interval up to the next sample.`;

let parsed;
try {
  parsed = parseArgs({ options: { top: { type: 'string', default: '25' }, wasm: { type: 'boolean', default: false }, packages: { type: 'boolean', default: false }, inclusive: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
} catch (err) {
  usageError(err.message, usage);
}
if (parsed.values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
if (parsed.positionals.length !== 1) usageError('want one .cpuprofile file', usage);
const top = Number(parsed.values.top);
if (!Number.isInteger(top) || top <= 0) usageError(`--top ${parsed.values.top}: want a positive integer`, usage);

const profile = JSON.parse(fs.readFileSync(parsed.positionals[0], 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));

// selfUs adds each sample's interval (to the next sample, or to the
// profile's end for the last one) to the node it hit.
const selfUs = new Map();
const { samples, timeDeltas } = profile;
let t = profile.startTime;
const times = timeDeltas.map((d) => (t += d));
for (let i = 0; i < samples.length; i++) {
  const next = i + 1 < samples.length ? times[i + 1] : profile.endTime;
  selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, next - times[i]));
}

if (parsed.values.inclusive !== undefined) {
  printInclusive(new RegExp(parsed.values.inclusive));
  process.exit(0);
}

const kind = (cf) => {
  if (cf.url.startsWith('wasm://')) return 'wasm';
  if (cf.url === '' && cf.functionName.startsWith('(')) return 'v8';
  return 'js';
};
const byFunction = new Map();
let total = 0;
const byKind = { wasm: 0, js: 0, v8: 0 };
for (const [id, us] of selfUs) {
  const cf = nodes.get(id).callFrame;
  const k = kind(cf);
  let name = cf.functionName || '(anonymous)';
  if (parsed.values.packages && k === 'wasm') name = goPackage(name);
  const key = `${name}\u0000${k === 'wasm' ? '' : cf.url}`;
  const e = byFunction.get(key) ?? { name, url: cf.url, line: cf.lineNumber, kind: k, us: 0 };
  e.us += us;
  byFunction.set(key, e);
  total += us;
  byKind[k] += us;
}

const rows = [...byFunction.values()].filter((e) => !(parsed.values.wasm || parsed.values.packages) || e.kind === 'wasm').sort((a, b) => b.us - a.us).slice(0, top);
const pct = (us) => `${(100 * us / total).toFixed(1)}%`;
console.log(`sampled ${(total / 1000).toFixed(1)} ms in ${samples.length} samples: wasm ${pct(byKind.wasm)}, js ${pct(byKind.js)}, v8 ${pct(byKind.v8)}`);
console.log('  self ms   share  kind  function');
for (const e of rows) {
  const where = e.kind === 'js' && e.url ? `  (${e.url.replace(/^.*\//, '')}:${e.line + 1})` : '';
  console.log(`${(e.us / 1000).toFixed(2).padStart(9)} ${pct(e.us).padStart(7)}  ${e.kind.padEnd(4)}  ${e.name}${where}`);
}

// goPackage is the package of a Go function's wasm name, in which / became
// _ (github.com/x/y.(*T).m is github.com_x_y.__T_.m): the name up to its
// first dot, or up to the next one when the first ends a domain.
function goPackage(name) {
  const m = /^[a-z0-9-]+\.[a-z]+_[^.]*/.exec(name);
  return m ? m[0] : name.split('.')[0];
}

// printInclusive prints the top functions matching re by inclusive time: a
// sample counts for every distinct matching function on its stack.
function printInclusive(re) {
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map();
  let all = 0;
  for (const [id, us] of selfUs) {
    all += us;
    const seen = new Set();
    for (let n = id; n !== undefined; n = parent.get(n)) {
      const name = nodes.get(n).callFrame.functionName;
      if (re.test(name) && !seen.has(name)) {
        seen.add(name);
        incl.set(name, (incl.get(name) ?? 0) + us);
      }
    }
  }
  console.log(`sampled ${(all / 1000).toFixed(1)} ms; inclusive time of the functions matching ${re}`);
  console.log('  incl ms   share  function');
  for (const [name, us] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(us / 1000).toFixed(2).padStart(9)} ${`${(100 * us / all).toFixed(1)}%`.padStart(7)}  ${name}`);
  }
}
