// What bench.mjs and fast-redact.mjs share: the timing loop and the JSON
// line they print last.

/**
 * timeRuns calls run() once cold, then warmup times (or until warmupMs have
 * passed), then times each call with process.hrtime.bigint() until iters
 * calls or maxMs of timed calls (at least one). After every call, outside
 * the timed span, verify(output) checks the output (and may end the
 * process). Returns {cold, warmup,
 * ms}: milliseconds of the cold call, the number of warm-up calls and the
 * milliseconds of every timed call. beforeTimed and afterTimed run just
 * before the first and after the last timed call (a profiler's start and
 * stop).
 */
export function timeRuns({ run, verify = () => {}, iters, maxMs, warmup, warmupMs, beforeTimed = () => {}, afterTimed = () => {} }) {
  let t0 = process.hrtime.bigint();
  const firstOut = run();
  const cold = Number(process.hrtime.bigint() - t0) / 1e6;
  verify(firstOut);
  let warmed = 0;
  const warmStart = process.hrtime.bigint();
  while (warmed < warmup && Number(process.hrtime.bigint() - warmStart) / 1e6 < warmupMs) {
    verify(run());
    warmed++;
  }
  const ms = [];
  let total = 0;
  beforeTimed();
  while (ms.length === 0 || (ms.length < iters && total < maxMs)) {
    t0 = process.hrtime.bigint();
    const out = run();
    const d = Number(process.hrtime.bigint() - t0) / 1e6;
    verify(out);
    ms.push(d);
    total += d;
  }
  afterTimed();
  return { cold, warmup: warmed, ms };
}

/** median of a non-empty list of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** round to microseconds, for the printed milliseconds. */
export function us(x) { return Math.round(x * 1000) / 1000; }

/** result is the JSON object bench.mjs and fast-redact.mjs print as their last line. */
export function result({ cold, warmup, ms }, bytes, runtime, extra = {}) {
  return {
    median_ms: us(median(ms)), ms: ms.map(us), warmup, cold: us(cold), bytes, runtime, node: process.version, ...extra,
  };
}

/** numberOption parses a non-negative numeric option or exits with a usage error. */
export function numberOption(values, name, def, usage) {
  if (values[name] === undefined) return def;
  const n = Number(values[name]);
  if (!Number.isFinite(n) || n < 0) usageError(`--${name} ${values[name]}: want a non-negative number`, usage);
  return n;
}

/** usageError prints the message and the usage to stderr and exits 2. */
export function usageError(msg, usage) {
  process.stderr.write(`${msg}\n\n${usage}\n`);
  process.exit(2);
}
