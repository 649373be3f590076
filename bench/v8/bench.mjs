#!/usr/bin/env node
// bench.mjs times whole HTTP exchanges through Veil's plugin under V8 (the
// engine Envoy embeds), with host.mjs as the proxy-wasm host. See README.md.

import fs from 'node:fs';
import inspector from 'node:inspector';
import { parseArgs } from 'node:util';
import { applyEnvoyV8Flags, compile, VM } from './host.mjs';
import { numberOption, result, timeRuns, usageError } from './timing.mjs';

const usage = `usage: node bench/v8/bench.mjs --plugin build/veil.wasm --rules FILE --in FILE
       [--iters N] [--max-ms M] [--warmup K] [--warmup-ms W] [--direction request|response]
       [--check FILE] [--out FILE] [--envoy 1.33|1.39] [--liftoff] [--profile FILE]

Starts the plugin with the rule file as plugin configuration, then runs HTTP
exchanges with the document as the request body and {} as the response body
(--direction response: {} as the request body, the document as the response
body), both labelled application/json. One cold exchange, K warm-up
exchanges (default 50, at most W ms, default 1000), then timed exchanges
until N (default 1000) or M ms of timed exchanges (default 3000). Prints, as
its last line, one JSON object: median_ms, ms (every timed exchange), warmup,
cold, bytes, runtime "v8", node, and start_ms, out_bytes, changed, envoy,
liftoff.

  --check FILE    the expected output body: exit 1 when it differs
  --out FILE      write the output body there
  --envoy         the WASI profile: 1.33 (Envoy 1.33–1.38, default) or 1.39
  --liftoff       keep Node's Liftoff tier; Envoy turns it off (the default here)
  --profile FILE  write a .cpuprofile of the timed exchanges only

Exits 1 when an exchange fails (trap, local reply, reset, a host error such
as a late header write) or its output differs from the first exchange's or
from --check.`;

let args;
try {
  args = parseArgs({
    options: {
      plugin: { type: 'string', default: 'build/veil.wasm' }, rules: { type: 'string' }, in: { type: 'string' },
      iters: { type: 'string' }, 'max-ms': { type: 'string' }, warmup: { type: 'string' }, 'warmup-ms': { type: 'string' },
      direction: { type: 'string', default: 'request' }, check: { type: 'string' }, out: { type: 'string' },
      envoy: { type: 'string', default: '1.33' }, liftoff: { type: 'boolean', default: false },
      profile: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (err) {
  usageError(err.message, usage);
}
if (args.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
if (!args.rules || !args.in) usageError('--rules and --in are required', usage);
if (!['request', 'response'].includes(args.direction)) usageError(`--direction ${args.direction}: want request or response`, usage);
const iters = numberOption(args, 'iters', 1000, usage);
const maxMs = numberOption(args, 'max-ms', 3000, usage);
const warmup = numberOption(args, 'warmup', 50, usage);
const warmupMs = numberOption(args, 'warmup-ms', 1000, usage);

const die = (msg) => {
  process.stderr.write(`bench.mjs: ${msg}\n`);
  process.exit(1);
};

const doc = fs.readFileSync(args.in);
const expected = args.check === undefined ? null : fs.readFileSync(args.check);

applyEnvoyV8Flags({ liftoff: args.liftoff });
const t0 = process.hrtime.bigint();
let vm;
try {
  vm = new VM(compile(fs.readFileSync(args.plugin), { profile: args.envoy }), { pluginConfig: fs.readFileSync(args.rules) }).start();
} catch (err) {
  die(err.message);
}
const startMs = Number(process.hrtime.bigint() - t0) / 1e6;

const json = [['content-type', 'application/json']];
const empty = Buffer.from('{}');
const request = args.direction === 'request';
const exchange = {
  requestHeaders: json, requestBody: request ? doc : empty,
  responseHeaders: json, responseBody: request ? empty : doc,
};

// run is one whole exchange; its output is the body of the chosen direction
// as it left the filter (bytes in → bytes out).
const run = () => vm.exchange(exchange);

let first = null;
const verify = (res) => {
  const msg = res.request.sent ? null : 'the request never reached the upstream';
  const problems = [res.vmError?.message, res.reset && `stream reset: ${res.reset}`,
    res.localReply && `local reply ${res.localReply.status} ${res.localReply.details}`, msg, ...res.errors].filter(Boolean);
  if (problems.length > 0) {
    const logs = res.logs.filter((l) => l.level >= 3).map((l) => `\n  log: ${l.message}`).join('');
    die(`exchange failed: ${problems.join('; ')}${logs}`);
  }
  const out = Buffer.from(request ? res.request.body : res.response.body);
  if (first === null) {
    first = out;
    if (expected !== null && !expected.equals(out)) {
      if (args.out) fs.writeFileSync(args.out, out);
      die(`output differs from ${args.check}: ${out.length} bytes, want ${expected.length}${firstDifference(out, expected)}`);
    }
  } else if (!first.equals(out)) {
    die('output differs from the first exchange\'s');
  }
};

const timed = timeRuns({ run, verify, iters, maxMs, warmup, warmupMs, ...(args.profile && profiler(args.profile)) });
if (args.out) fs.writeFileSync(args.out, first);
process.stdout.write(`${JSON.stringify(result(timed, doc.length, 'v8', {
  start_ms: Math.round(startMs), out_bytes: first.length, changed: !first.equals(doc),
  direction: args.direction, envoy: args.envoy, liftoff: args.liftoff,
}))}\n`);

// profiler returns the hooks that profile the timed exchanges only, through
// the inspector (its calls complete synchronously on the main thread), and
// write the .cpuprofile to file.
function profiler(file) {
  const session = new inspector.Session();
  const post = (method, params) => {
    let out;
    session.post(method, params, (err, r) => {
      if (err) die(`profiler: ${method}: ${err.message}`);
      out = r;
    });
    return out;
  };
  return {
    beforeTimed() {
      session.connect();
      post('Profiler.enable');
      post('Profiler.setSamplingInterval', { interval: 100 });
      post('Profiler.start');
    },
    afterTimed() {
      fs.writeFileSync(file, JSON.stringify(post('Profiler.stop').profile));
      session.disconnect();
    },
  };
}

// firstDifference describes where two byte strings first differ.
function firstDifference(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const around = (x) => JSON.stringify(x.subarray(Math.max(0, i - 40), i + 40).toString('utf8'));
  return `; first difference at byte ${i}: got ${around(a)}, want ${around(b)}`;
}
