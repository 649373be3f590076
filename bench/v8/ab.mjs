#!/usr/bin/env node
// ab.mjs compares two builds of the plugin under V8 in one process,
// alternating their exchanges so that a busy machine slows both alike.

import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { applyEnvoyV8Flags, compile, VM } from './host.mjs';
import { median, numberOption, us, usageError } from './timing.mjs';

const usage = `usage: node bench/v8/ab.mjs --a A.wasm --b B.wasm --rules FILE --in FILE
       [--iters N] [--max-ms M] [--warmup K] [--direction request|response] [--liftoff]

Starts both modules with the rule file, checks that they forward the same
body, warms each up with K exchanges (default 50), then runs exchanges
alternately, A then B, timing each (process.hrtime.bigint()), until N pairs
(default 1000) or M ms in all (default 6000). Prints, as its last line, one
JSON object: a_median_ms, b_median_ms, ratio (b / a), pairs, b_faster_share
(the share of pairs in which B was faster), bytes, start_ms of each.`;

let args;
try {
  args = parseArgs({
    options: {
      a: { type: 'string' }, b: { type: 'string' }, rules: { type: 'string' }, in: { type: 'string' },
      iters: { type: 'string' }, 'max-ms': { type: 'string' }, warmup: { type: 'string' },
      direction: { type: 'string', default: 'request' }, liftoff: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (err) {
  usageError(err.message, usage);
}
if (args.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
if (!args.a || !args.b || !args.rules || !args.in) usageError('--a, --b, --rules and --in are required', usage);
if (!['request', 'response'].includes(args.direction)) usageError(`--direction ${args.direction}: want request or response`, usage);
const iters = numberOption(args, 'iters', 1000, usage);
const maxMs = numberOption(args, 'max-ms', 6000, usage);
const warmup = numberOption(args, 'warmup', 50, usage);
const die = (msg) => {
  process.stderr.write(`ab.mjs: ${msg}\n`);
  process.exit(1);
};

applyEnvoyV8Flags({ liftoff: args.liftoff });
const doc = fs.readFileSync(args.in);
const config = fs.readFileSync(args.rules);
const json = [['content-type', 'application/json']];
const request = args.direction === 'request';
const ex = { requestHeaders: json, requestBody: request ? doc : Buffer.from('{}'), responseHeaders: json, responseBody: request ? Buffer.from('{}') : doc };

// side starts one module and returns {run, startMs}; run() times one
// exchange and returns its milliseconds, failing on any error.
function side(file) {
  const t0 = process.hrtime.bigint();
  let vm;
  try {
    vm = new VM(compile(fs.readFileSync(file)), { pluginConfig: config }).start();
  } catch (err) {
    die(`${file}: ${err.message}`);
  }
  const startMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const exchange = () => {
    const res = vm.exchange(ex);
    if (res.vmError || res.reset || res.localReply || res.errors.length > 0) {
      die(`${file}: exchange failed: ${res.vmError?.message ?? res.reset ?? res.localReply?.details ?? res.errors.join('; ')}`);
    }
    return Buffer.from(request ? res.request.body : res.response.body);
  };
  const run = () => {
    const t = process.hrtime.bigint();
    vm.exchange(ex);
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  return { exchange, run, startMs };
}

const a = side(args.a);
const b = side(args.b);
if (!a.exchange().equals(b.exchange())) die('A and B forward different bodies');
for (let i = 0; i < warmup; i++) {
  a.exchange();
  b.exchange();
}
const am = [];
const bm = [];
let total = 0;
let bFaster = 0;
while (am.length < iters && total < maxMs) {
  const da = a.run();
  const db = b.run();
  am.push(da);
  bm.push(db);
  total += da + db;
  if (db < da) bFaster++;
}
const ma = median(am);
const mb = median(bm);
process.stdout.write(`${JSON.stringify({
  a_median_ms: us(ma), b_median_ms: us(mb), ratio: Math.round((mb / ma) * 1000) / 1000, pairs: am.length,
  b_faster_share: Math.round((bFaster / am.length) * 1000) / 1000, bytes: doc.length,
  a_start_ms: Math.round(a.startMs), b_start_ms: Math.round(b.startMs), runtime: 'v8', node: process.version,
})}\n`);
