#!/usr/bin/env node
// topfuncs.mjs prints the functions with the most self time in a V8
// .cpuprofile (node --cpu-prof, or bench.mjs --profile). Wasm functions
// carry the names of the module's name section (Go's package.function).

import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { usageError } from './timing.mjs';

const usage = `usage: node bench/v8/topfuncs.mjs [--top N] [--wasm] FILE.cpuprofile

Prints the N (default 25) functions with the most self time: self ms, share
of all sampled time, and the kind (wasm, js, or V8's own entries such as
(garbage collector) and (program)). Functions of the same name and script
are added up. --wasm lists wasm functions only (shares stay of all time).
A sample's time is the interval up to the next sample.`;

let parsed;
try {
  parsed = parseArgs({ options: { top: { type: 'string', default: '25' }, wasm: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
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
  const name = cf.functionName || '(anonymous)';
  const key = `${name}\u0000${cf.url}`;
  const e = byFunction.get(key) ?? { name, url: cf.url, line: cf.lineNumber, kind: k, us: 0 };
  e.us += us;
  byFunction.set(key, e);
  total += us;
  byKind[k] += us;
}

const rows = [...byFunction.values()].filter((e) => !parsed.values.wasm || e.kind === 'wasm').sort((a, b) => b.us - a.us).slice(0, top);
const pct = (us) => `${(100 * us / total).toFixed(1)}%`;
console.log(`sampled ${(total / 1000).toFixed(1)} ms in ${samples.length} samples: wasm ${pct(byKind.wasm)}, js ${pct(byKind.js)}, v8 ${pct(byKind.v8)}`);
console.log('  self ms   share  kind  function');
for (const e of rows) {
  const where = e.kind === 'js' && e.url ? `  (${e.url.replace(/^.*\//, '')}:${e.line + 1})` : '';
  console.log(`${(e.us / 1000).toFixed(2).padStart(9)} ${pct(e.us).padStart(7)}  ${e.kind.padEnd(4)}  ${e.name}${where}`);
}
