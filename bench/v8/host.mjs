// A small proxy-wasm 0.2.x host for Node: it runs Veil's plugin (or any Go
// proxy-wasm HTTP filter that keeps to the same host calls) under V8, the
// engine Envoy embeds, the way host-test/ runs it under wazero. It
// implements the host calls a Go plugin built with the proxy-wasm Go SDK
// makes on the path of a plain HTTP exchange, with Envoy's answers as
// host-test/ENVOY.md records them, and nothing else: a module importing a
// function this host lacks is refused at load, naming it. README.md lists
// what is and is not modelled.

import { randomFillSync } from 'node:crypto';
import v8 from 'node:v8';

/** proxy_status_t (ENVOY.md §4.1). */
export const Status = Object.freeze({
  OK: 0, NOT_FOUND: 1, BAD_ARGUMENT: 2, SERIALIZATION_FAILURE: 3, PARSE_FAILURE: 4,
  INVALID_MEMORY_ACCESS: 6, EMPTY: 7, CAS_MISMATCH: 8, INTERNAL_FAILURE: 10, UNIMPLEMENTED: 12,
});

/** Log levels of proxy_log, by number. */
export const LogLevels = ['trace', 'debug', 'info', 'warn', 'error', 'critical'];
const LOG_INFO = 2;
const LOG_ERROR = 4;

// WASI errno values Envoy returns (ENVOY.md §2.2).
const ERRNO = { SUCCESS: 0, BADF: 8, FAULT: 21, INVAL: 28, NOENT: 44, NOSYS: 52, NOTSUP: 58 };

// proxy_buffer_type_t and proxy_map_type_t (ENVOY.md §4.1).
const BUF = { REQUEST_BODY: 0, RESPONSE_BODY: 1, VM_CONFIGURATION: 6, PLUGIN_CONFIGURATION: 7, LAST: 8 };
const MAP = { REQUEST_HEADERS: 0, REQUEST_TRAILERS: 1, RESPONSE_HEADERS: 2, RESPONSE_TRAILERS: 3, HTTP_CALL_HEADERS: 6, HTTP_CALL_TRAILERS: 7 };

// What a callback may do with a header map (Envoy drops its pointer once a
// headers callback continues, ENVOY.md §7.1).
const NONE = 0;
const READ = 1;
const WRITE = 2;

// Phases that restrict host calls (ENVOY.md §3.3).
const RUN = 0;
const START = 1;
const ALLOC = 2;

/** Profiles: 1.33 (Envoy 1.33–1.38, the default) and 1.39 (Envoy 1.39+). */
export const Profiles = ['1.33', '1.39'];

// Start-up and allocator allow-lists of cpp-host for Envoy 1.33–1.38; 1.39
// adds poll_oneoff to both (and 27 stubs this host does not implement).
const START_ALLOWED = new Set(['env.proxy_log', 'env.emscripten_notify_memory_growth', 'fd_write',
  'args_sizes_get', 'args_get', 'environ_sizes_get', 'environ_get', 'fd_prestat_get',
  'fd_prestat_dir_name', 'clock_time_get', 'random_get', 'fd_fdstat_get', 'fd_fdstat_set_flags']);
const ALLOC_ALLOWED = new Set(['env.proxy_log', 'fd_write', 'clock_time_get']);

/** A trap raised for a host call outside the current allow-list (cpp-host "restricted_callback"). */
export class RestrictedError extends Error {
  constructor(fn, during) {
    super(`restricted_callback: ${fn} called during ${during}`);
  }
}

/**
 * applyEnvoyV8Flags sets the V8 flags cpp-host sets for Envoy (src/v8/v8.cc):
 * no Liftoff (every function compiled by TurboFan before it runs) and the
 * 1 GiB memory cap. Call it before compiling a module; liftoff keeps Node's
 * default tiering instead.
 */
export function applyEnvoyV8Flags({ liftoff = false } = {}) {
  if (!liftoff) v8.setFlagsFromString('--no-liftoff');
  v8.setFlagsFromString('--wasm-max-mem-pages=16384');
}

/**
 * compile checks a module the way Envoy does before running it (ABI marker,
 * allocator) and that this host implements every import, then compiles it.
 * It throws an Error naming each problem.
 */
export function compile(bytes, { profile = '1.33' } = {}) {
  if (!Profiles.includes(profile)) throw new Error(`unknown profile ${profile}: want ${Profiles.join(' or ')}`);
  const module = new WebAssembly.Module(bytes);
  const exports = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  const abi = ['0_2_1', '0_2_0'].find((v) => exports.has(`proxy_abi_version_${v}`));
  if (!abi) throw new Error('Missing or unknown Proxy-Wasm ABI version (this host runs 0.2.0 and 0.2.1)');
  if (!exports.has('malloc') && !exports.has('proxy_on_memory_allocate')) {
    throw new Error('Wasm module is missing malloc function.');
  }
  const missing = [];
  for (const imp of WebAssembly.Module.imports(module)) {
    const known = imp.kind === 'function' && (imp.module === 'env'
      ? Object.hasOwn(envFuncs, imp.name) && (imp.name !== 'proxy_get_log_level' || abi === '0_2_1')
      : (imp.module === 'wasi_snapshot_preview1' || imp.module === 'wasi_unstable') && Object.hasOwn(wasiFuncs, imp.name));
    if (!known) missing.push(`${imp.module}.${imp.name}`);
  }
  if (missing.length > 0) {
    throw new Error(`the bench host does not implement: ${[...new Set(missing)].join(', ')} ` +
      '(Envoy may; see bench/v8/README.md)');
  }
  return { module, abi, profile, alloc: exports.has('malloc') ? 'malloc' : 'proxy_on_memory_allocate' };
}

/**
 * VM is one started instance of a compiled module, like one of Envoy's
 * per-worker VMs. Construct it with compile's result and a configuration
 * ({pluginConfig: bytes, env: ['K=V'], vmConfig: bytes, trace: bool}), call start(), then
 * exchange() for each HTTP exchange.
 */
export class VM {
  constructor(compiled, { pluginConfig = new Uint8Array(0), vmConfig = new Uint8Array(0), env = [], trace = false } = {}) {
    this.compiled = compiled;
    this.trace = trace; // record the callbacks of each exchange in Result.callbacks
    this.pluginConfig = toBytes(pluginConfig);
    this.vmConfig = toBytes(vmConfig);
    this.env = env.map((e) => Buffer.from(`${e}\0`, 'utf8'));
    this.phase = RUN;
    this.callback = '';
    this.rootID = 0;
    this.nextID = 1;
    this.effective = 0;
    this.streams = new Map();
    this.config = new Map(); // bufferType → bytes readable in the running start callback
    this.metrics = new Map(); // name → {type, value}
    this.metricIDs = new Map(); // id → metric
    this.nextMetric = [0, 0, 0];
    this.logs = []; // since start, or since the current exchange began
    this.startLogs = [];
    this.failed = null;
    this.monoStart = process.hrtime.bigint();
    this.buf = null;
    const imports = { env: {}, wasi_snapshot_preview1: {}, wasi_unstable: {} };
    for (const [name, fn] of Object.entries(envFuncs)) imports.env[name] = this.guard(`env.${name}`, fn);
    for (const [name, fn] of Object.entries(wasiFuncs)) {
      imports.wasi_snapshot_preview1[name] = imports.wasi_unstable[name] = this.guard(name, fn);
    }
    this.instance = new WebAssembly.Instance(compiled.module, imports);
    this.exports = this.instance.exports;
    this.memory = this.exports.memory;
  }

  /**
   * start runs Envoy's start-up sequence (ENVOY.md §3.3): _initialize (then
   * main, or __main_void on 1.39, when exported; _start without
   * _initialize) under the start-time allow-list, then
   * proxy_on_context_create(root, 0), proxy_on_vm_start and
   * proxy_on_configure. It throws when a step traps or returns 0, with the
   * guest's error logs in the message.
   */
  start() {
    const fail = (stage, err) => {
      const logs = this.logs.filter((l) => l.level >= LOG_ERROR).map((l) => `\n${LogLevels[l.level]}: ${l.message}`);
      return new Error(`wasm vm failed to start: ${stage}${err ? `: ${err.message}` : ' returned false'}${logs.join('')}`);
    };
    this.phase = START;
    let starts = ['_initialize', 'main'];
    if (this.compiled.profile === '1.39') starts.push('__main_void');
    if (!this.exports._initialize) starts = ['_start'];
    for (const name of starts) {
      if (!this.exports[name]) continue;
      try {
        this.call(name, ...(name === 'main' ? [0, 0] : []));
      } catch (err) {
        throw fail(name, err);
      }
      if (name === 'main') break;
    }
    this.phase = RUN;
    this.rootID = this.nextID++;
    this.effective = this.rootID;
    try {
      this.call('proxy_on_context_create', this.rootID, 0);
    } catch (err) {
      throw fail('proxy_on_context_create', err);
    }
    for (const [fn, buf, bytes] of [['proxy_on_vm_start', BUF.VM_CONFIGURATION, this.vmConfig],
      ['proxy_on_configure', BUF.PLUGIN_CONFIGURATION, this.pluginConfig]]) {
      this.config.set(buf, bytes);
      let ok;
      try {
        ok = this.call(fn, this.rootID, bytes.length);
      } catch (err) {
        throw fail(fn, err);
      } finally {
        this.config.delete(buf);
      }
      if (ok !== undefined && ok === 0) throw fail(fn, null);
    }
    this.startLogs = this.logs;
    this.logs = [];
    return this;
  }

  /**
   * call runs a guest export; a missing one returns undefined (Envoy treats
   * every callback as optional). A trap fails the VM for good and is
   * rethrown.
   */
  call(name, ...args) {
    if (this.failed) throw this.failed;
    const f = this.exports[name];
    if (!f) return undefined;
    const prev = this.callback;
    this.callback = name;
    try {
      const r = f(...args);
      return r === undefined ? undefined : r >>> 0;
    } catch (err) {
      this.failed = new Error(`${name}: ${err.message}`, { cause: err });
      throw this.failed;
    } finally {
      this.callback = prev;
    }
  }

  /**
   * exchange runs one HTTP exchange in Envoy's callback order (ENVOY.md
   * §5.1): on_context_create, request headers, the request body in one frame
   * with end_of_stream, response headers, the response body likewise, then
   * on_log, on_done, on_delete. ex: {method, path, requestHeaders,
   * requestBody, status, responseHeaders, responseBody}; headers are
   * [name, value] pairs after the pseudo-headers, bodies Uint8Array (null or
   * absent: headers end the message). A content-length is added to each
   * message with a body. Returns {request, response, localReply, reset,
   * callbacks, logs, errors, vmError}; request and response are {sent,
   * status, headers, body} as they left the filter; callbacks lists the
   * callbacks run ("on_request_body size=7 eos=true -> continue") when the
   * VM was made with trace.
   */
  exchange(ex) {
    this.logs = [];
    const res = { request: emptyMessage(), response: emptyMessage(), localReply: null, reset: '', callbacks: [], logs: this.logs, errors: [], vmError: null };
    const s = new Stream(this, this.nextID++, res);
    this.streams.set(s.id, s);
    try {
      if (this.failed) {
        res.vmError = this.failed;
        s.failClosed();
        return res;
      }
      if (!s.call('proxy_on_context_create', true, this.rootID).ok) return res;
      const reqHeaders = withBodyHeaders([[':method', ex.method ?? (ex.requestBody ? 'POST' : 'GET')],
        [':path', ex.path ?? '/'], [':authority', 'example.com'], [':scheme', 'http']], ex.requestHeaders, ex.requestBody);
      const req = s.run(requestDir, reqHeaders, ex.requestBody);
      res.request = req.out;
      if (req.ok) {
        s.checkContentLength('request', req.out);
        const respHeaders = withBodyHeaders([[':status', String(ex.status ?? 200)]], ex.responseHeaders, ex.responseBody);
        const resp = s.run(responseDir, respHeaders, ex.responseBody);
        if (resp.ok) res.response = resp.out;
      } else if (s.through) {
        // From the request path a local reply is encoded through the whole
        // filter chain, this filter's response callbacks included (§8).
        const rp = s.through;
        s.through = null;
        s.replying = true;
        s.ended = false;
        const resp = s.run(responseDir, replyHeaders(rp), rp.body.length > 0 ? rp.body : null);
        if (resp.ok) res.response = resp.out;
      }
      s.checkContentLength('response', res.response);
      s.finish();
      return res;
    } finally {
      this.streams.delete(s.id);
    }
  }

  /** metricsSnapshot returns the metrics by Envoy's stat name (wasmcustom.<name>). */
  metricsSnapshot() {
    return Object.fromEntries([...this.metrics].map(([k, m]) => [`wasmcustom.${k}`, { ...m }]));
  }

  // guard wraps a host function with the allow-list check of the current
  // phase and the refresh of the memory views.
  guard(key, fn) {
    const vm = this;
    return function hostCall(a, b, c, d, e, f, g, h, i, j) {
      if (vm.phase !== RUN) {
        if (vm.phase === START && !(START_ALLOWED.has(key) || (vm.compiled.profile === '1.39' && key === 'poll_oneoff'))) {
          throw new RestrictedError(key, vm.callback);
        }
        if (vm.phase === ALLOC && !(ALLOC_ALLOWED.has(key) || (vm.compiled.profile === '1.39' && key === 'poll_oneoff'))) {
          throw new RestrictedError(key, 'the allocator');
        }
      }
      vm.views();
      return fn.call(vm, a, b, c, d, e, f, g, h, i, j);
    };
  }

  // views refreshes the byte and DataView views when memory has grown (a
  // grown memory gets a new ArrayBuffer).
  views() {
    const b = this.memory.buffer;
    if (b !== this.buf) {
      this.buf = b;
      this.u8 = new Uint8Array(b);
      this.dv = new DataView(b);
    }
  }

  ok(ptr, n) { return ptr + n <= this.u8.length; }

  read(ptr, n) {
    ptr >>>= 0;
    n >>>= 0;
    if (!this.ok(ptr, n)) return null;
    return this.u8.slice(ptr, ptr + n);
  }

  // readString decodes guest bytes, latin1 by default (one char per byte,
  // as header names and values are kept here); short strings by hand,
  // which is cheaper than a Buffer.
  readString(ptr, n, encoding = 'latin1') {
    ptr >>>= 0;
    n >>>= 0;
    if (!this.ok(ptr, n)) return null;
    if (encoding === 'latin1' && n <= 64) {
      let str = '';
      for (let i = ptr; i < ptr + n; i++) str += String.fromCharCode(this.u8[i]);
      return str;
    }
    return Buffer.from(this.buf, ptr, n).toString(encoding);
  }

  writeU32(ptr, v) {
    ptr >>>= 0;
    if (!this.ok(ptr, 4)) return false;
    this.dv.setUint32(ptr, v >>> 0, true);
    return true;
  }

  writeU64(ptr, v) {
    ptr >>>= 0;
    if (!this.ok(ptr, 8)) return false;
    this.dv.setBigUint64(ptr, BigInt.asUintN(64, v), true);
    return true;
  }

  // copyOut hands data to the guest like cpp-host's copyToPointerSize:
  // allocate with the guest's allocator, copy, store pointer and size.
  // Empty data never allocates: pointer 0, size 0 (ENVOY.md §4.2).
  copyOut(data, ptrPtr, sizePtr) {
    return this.copyOutWith(data.length, (ptr) => this.u8.set(data, ptr), ptrPtr, sizePtr);
  }

  // copyOutWith is copyOut for data that write(ptr) puts straight into
  // guest memory (size bytes at ptr): no JS buffer in between, since a
  // small typed array costs more to make than the copy itself.
  copyOutWith(size, write, ptrPtr, sizePtr) {
    let ptr = 0;
    if (size > 0) {
      ptr = this.allocate(size);
      if (!this.ok(ptr, size)) return Status.INVALID_MEMORY_ACCESS;
      write(ptr);
    }
    if (!this.writeU32(ptrPtr, ptr) || !this.writeU32(sizePtr, size)) return Status.INVALID_MEMORY_ACCESS;
    return Status.OK;
  }

  copyOutLatin1(str, ptrPtr, sizePtr) {
    return this.copyOutWith(str.length, (ptr) => writeLatin1(this.u8, ptr, str), ptrPtr, sizePtr);
  }

  copyOutPairs(h, ptrPtr, sizePtr) {
    return this.copyOutWith(pairsSize(h), (ptr) => writePairs(this.u8, this.dv, ptr, h), ptrPtr, sizePtr);
  }

  // allocate calls the guest's allocator under its allow-list; a trap inside
  // it propagates as a trap of the host call that needed the memory.
  allocate(n) {
    const prev = this.phase;
    const prevCallback = this.callback;
    this.phase = ALLOC;
    this.callback = this.compiled.alloc;
    try {
      return this.exports[this.compiled.alloc](n) >>> 0;
    } finally {
      this.phase = prev;
      this.callback = prevCallback;
      this.views();
    }
  }

  log(level, message) { this.logs.push({ level, message }); }

  // headerMap resolves a map for a host call: {h, acc} or {missing: status}.
  headerMap(t) {
    if (t === MAP.HTTP_CALL_HEADERS || t === MAP.HTTP_CALL_TRAILERS) return { missing: Status.NOT_FOUND }; // no http_call here
    const s = this.streams.get(this.effective);
    if (!s || t > MAP.RESPONSE_TRAILERS) return { missing: Status.BAD_ARGUMENT };
    if (s.access[t] === NONE) return { missing: s.phase === 'log' ? Status.NOT_FOUND : Status.BAD_ARGUMENT };
    return { s, h: s.maps[t], acc: s.access[t] };
  }

  // mutate applies a header write with Envoy's timing: a map the host no
  // longer holds answers BAD_ARGUMENT and is recorded as an error.
  mutate(fn, t, keyPtr, keyLen, valuePtr, valueLen, apply) {
    const key = this.readString(keyPtr, keyLen);
    const value = valuePtr === undefined ? '' : this.readString(valuePtr, valueLen);
    if (key === null || value === null) return Status.INVALID_MEMORY_ACCESS;
    const m = this.headerMap(t);
    const s = this.streams.get(this.effective);
    if ((!m.h && s && t <= MAP.RESPONSE_TRAILERS) || (m.h && m.acc !== WRITE)) {
      s.errorf(`late header write: ${fn}(${t}, ${JSON.stringify(key)}) during ${this.callback}: BAD_ARGUMENT (Envoy no longer holds that map)`);
      return Status.BAD_ARGUMENT;
    }
    if (!m.h) return m.missing;
    apply(m.s, key.toLowerCase(), value);
    return Status.OK;
  }

  // buffer resolves a buffer for a host call: {b, writable, s} or {missing}.
  buffer(t) {
    if (t > BUF.LAST) return { missing: Status.BAD_ARGUMENT };
    if (t === BUF.REQUEST_BODY || t === BUF.RESPONSE_BODY) {
      const s = this.streams.get(this.effective);
      if (s && s.body[t]) return { b: s.body[t], writable: true, s };
    } else if (t === BUF.VM_CONFIGURATION || t === BUF.PLUGIN_CONFIGURATION) {
      if (this.config.has(t)) return { b: { bytes: this.config.get(t) }, writable: false };
    }
    return { missing: Status.NOT_FOUND };
  }
}

/** The env host functions (ENVOY.md §3.2), called with the VM as this. */
const envFuncs = {
  proxy_log(level, ptr, len) {
    if (level >>> 0 > 5) return Status.BAD_ARGUMENT;
    const msg = this.readString(ptr, len, 'utf8');
    if (msg === null) return Status.INVALID_MEMORY_ACCESS;
    this.log(level >>> 0, msg);
    return Status.OK;
  },

  proxy_get_log_level(ptr) {
    this.writeU32(ptr, LOG_INFO);
    return Status.OK;
  },

  // proxy_get_property(path, path_len, ptr_ptr, size_ptr): only the Wasm
  // attributes; everything else is NOT_FOUND (the plugin reads none).
  proxy_get_property(pathPtr, pathLen, ptrPtr, sizePtr) {
    const path = this.readString(pathPtr, pathLen);
    if (path === null) return Status.INVALID_MEMORY_ACCESS;
    const values = { plugin_name: 'veil', plugin_root_id: '', plugin_vm_id: '' };
    if (!Object.hasOwn(values, path)) return Status.NOT_FOUND;
    return this.copyOutLatin1(values[path], ptrPtr, sizePtr);
  },

  proxy_get_header_map_value(t, keyPtr, keyLen, ptrPtr, sizePtr) {
    const key = this.readString(keyPtr, keyLen);
    if (key === null) return Status.INVALID_MEMORY_ACCESS;
    const m = this.headerMap(t >>> 0);
    if (!m.h) return m.missing;
    const lower = key.toLowerCase();
    const kv = m.h.find((p) => p[0].toLowerCase() === lower); // the first value only (§7.2)
    if (!kv) return Status.NOT_FOUND;
    return this.copyOutLatin1(kv[1], ptrPtr, sizePtr);
  },

  proxy_add_header_map_value(t, keyPtr, keyLen, valuePtr, valueLen) {
    return this.mutate('proxy_add_header_map_value', t >>> 0, keyPtr, keyLen, valuePtr, valueLen, (s, k, v) => {
      s.maps[t >>> 0].push([k, v]);
    });
  },

  proxy_replace_header_map_value(t, keyPtr, keyLen, valuePtr, valueLen) {
    return this.mutate('proxy_replace_header_map_value', t >>> 0, keyPtr, keyLen, valuePtr, valueLen, (s, k, v) => {
      s.maps[t >>> 0] = s.maps[t >>> 0].filter((p) => p[0].toLowerCase() !== k);
      s.maps[t >>> 0].push([k, v]);
    });
  },

  proxy_remove_header_map_value(t, keyPtr, keyLen) {
    return this.mutate('proxy_remove_header_map_value', t >>> 0, keyPtr, keyLen, undefined, undefined, (s, k) => {
      s.maps[t >>> 0] = s.maps[t >>> 0].filter((p) => p[0].toLowerCase() !== k);
    });
  },

  proxy_get_header_map_pairs(t, ptrPtr, sizePtr) {
    const m = this.headerMap(t >>> 0);
    if (m.h) return this.copyOutPairs(m.h, ptrPtr, sizePtr);
    if (m.missing === Status.BAD_ARGUMENT && this.streams.has(this.effective)) {
      return this.copyOut(new Uint8Array(0), ptrPtr, sizePtr); // a dropped map reads as OK and empty
    }
    return m.missing;
  },

  proxy_set_header_map_pairs(t, ptr, len) {
    t >>>= 0;
    const data = this.read(ptr, len);
    if (data === null) return Status.INVALID_MEMORY_ACCESS;
    const m = this.headerMap(t);
    const s = this.streams.get(this.effective);
    if ((!m.h && s && t <= MAP.RESPONSE_TRAILERS) || (m.h && m.acc !== WRITE)) {
      s.errorf(`late header write: proxy_set_header_map_pairs(${t}, "*") during ${this.callback}: BAD_ARGUMENT`);
      return Status.BAD_ARGUMENT;
    }
    if (!m.h) return m.missing;
    m.s.maps[t] = decodePairs(data).map(([k, v]) => [k.toLowerCase(), v]); // malformed: every header removed
    return Status.OK;
  },

  // proxy_get_header_map_size answers the serialized byte size, not a count.
  proxy_get_header_map_size(t, sizePtr) {
    const m = this.headerMap(t >>> 0);
    if (!m.h) return m.missing;
    this.writeU32(sizePtr, pairsSize(m.h));
    return Status.OK;
  },

  proxy_get_buffer_status(t, lenPtr, flagsPtr) {
    const r = this.buffer(t >>> 0);
    if (!r.b) return r.missing;
    this.writeU32(lenPtr, r.b.bytes.length);
    this.writeU32(flagsPtr, 0);
    return Status.OK;
  },

  // proxy_get_buffer_bytes(type, start, max, ptr_ptr, size_ptr): start+max
  // overflowing is BAD_ARGUMENT; clamps to the end; nothing to return is OK
  // with pointer 0 and size 0 (§6.2).
  proxy_get_buffer_bytes(t, start, max, ptrPtr, sizePtr) {
    start >>>= 0;
    max >>>= 0;
    const r = this.buffer(t >>> 0);
    if (!r.b) return r.missing;
    if (start + max > 0xffffffff) return Status.BAD_ARGUMENT;
    const bytes = r.b.bytes;
    if (start >= bytes.length) return this.copyOut(new Uint8Array(0), ptrPtr, sizePtr);
    return this.copyOut(bytes.subarray(start, Math.min(start + max, bytes.length)), ptrPtr, sizePtr);
  },

  // proxy_set_buffer_bytes(type, start, length, data, size) with Envoy's
  // Buffer::copyFrom rules: start 0 drains length bytes then prepends, start
  // at or past the end appends, anything between is BAD_ARGUMENT (§6.2).
  proxy_set_buffer_bytes(t, start, length, ptr, size) {
    t >>>= 0;
    start >>>= 0;
    length >>>= 0;
    const data = this.read(ptr, size);
    if (data === null) return Status.INVALID_MEMORY_ACCESS;
    const r = this.buffer(t);
    if (!r.b) return r.missing;
    if (!r.writable) return Status.BAD_ARGUMENT;
    const bytes = r.b.bytes;
    if (start === 0) {
      const rest = bytes.subarray(Math.min(length, bytes.length));
      r.b.bytes = rest.length === 0 ? data : Buffer.concat([data, rest]);
    } else if (start >= bytes.length) {
      r.b.bytes = Buffer.concat([bytes, data]);
    } else {
      return Status.BAD_ARGUMENT;
    }
    r.s.bodyWritten[t] = true;
    return Status.OK;
  },

  proxy_set_effective_context(id) {
    id >>>= 0;
    if (id !== this.rootID && !this.streams.has(id)) return Status.BAD_ARGUMENT;
    this.effective = id;
    return Status.OK;
  },

  // proxy_send_local_response(status, details, details_len, body, body_len,
  // headers, headers_len, grpc_status): acted on after the callback
  // returns, which then counts as a stop whatever it returned (§8).
  proxy_send_local_response(status, detailsPtr, detailsLen, bodyPtr, bodyLen, hdrPtr, hdrLen, grpcStatus) {
    const details = this.readString(detailsPtr, detailsLen);
    const body = this.read(bodyPtr, bodyLen);
    const hdrs = this.read(hdrPtr, hdrLen);
    if (details === null || body === null || hdrs === null) return Status.INVALID_MEMORY_ACCESS;
    const s = this.streams.get(this.effective);
    if (!s) return Status.NOT_FOUND;
    if (!s.reply) {
      s.reply = {
        status: status >>> 0, details: details.split(/\s+/).filter(Boolean).join('_'),
        body: Buffer.from(body), headers: decodePairs(hdrs), grpcStatus: grpcStatus | 0, from: '',
      };
    }
    return Status.OK;
  },

  proxy_continue_stream(t) { return streamOp(this, t >>> 0, (s, d) => { s.continued[d] = true; }); },
  proxy_close_stream(t) { return streamOp(this, t >>> 0, (s) => { s.closed = true; }); },

  // proxy_define_metric(type, name, name_len, id_ptr): ids in steps of 4
  // with the type in the low two bits; the stat is wasmcustom.<name> (§11).
  proxy_define_metric(type, namePtr, nameLen, idPtr) {
    type >>>= 0;
    if (type > 2) return Status.BAD_ARGUMENT;
    const name = this.readString(namePtr, nameLen, 'utf8');
    if (name === null) return Status.INVALID_MEMORY_ACCESS;
    let m = this.metrics.get(name);
    if (!m) this.metrics.set(name, m = { type, value: 0n });
    this.nextMetric[type] += 4;
    const id = this.nextMetric[type] + type;
    this.metricIDs.set(id, m);
    this.writeU32(idPtr, id);
    return Status.OK;
  },

  // proxy_increment_metric(id, i64 delta): a counter refuses delta ≤ 0, a
  // histogram any increment.
  proxy_increment_metric(id, delta) {
    const m = this.metricIDs.get(id >>> 0);
    if (!m) return Status.NOT_FOUND;
    delta = BigInt.asIntN(64, BigInt(delta));
    if (m.type === 2 || (m.type === 0 && delta <= 0n)) return Status.BAD_ARGUMENT;
    m.value += delta;
    return Status.OK;
  },

  // proxy_record_metric(id, u64 value): a counter adds, a gauge sets, a
  // histogram records (only the count is kept here).
  proxy_record_metric(id, value) {
    const m = this.metricIDs.get(id >>> 0);
    if (!m) return Status.NOT_FOUND;
    value = BigInt.asUintN(64, BigInt(value));
    if (m.type === 0) m.value += value;
    else if (m.type === 1) m.value = value;
    else m.value += 1n;
    return Status.OK;
  },

  proxy_get_metric(id, ptr) {
    const m = this.metricIDs.get(id >>> 0);
    if (!m) return Status.NOT_FOUND;
    if (m.type === 2) return Status.BAD_ARGUMENT;
    this.writeU64(ptr, m.value);
    return Status.OK;
  },

  proxy_get_current_time_nanoseconds(ptr) {
    this.writeU64(ptr, realtimeNanos());
    return Status.OK;
  },

  proxy_set_tick_period_milliseconds() { return Status.OK; }, // no timer ever fires here
  proxy_done() { return Status.NOT_FOUND; },
};

/** The WASI preview1 functions of Envoy 1.33–1.38 (ENVOY.md §2.2), called with the VM as this. */
const wasiFuncs = {
  args_sizes_get(argcPtr, sizePtr) {
    this.writeU32(argcPtr, 0);
    this.writeU32(sizePtr, 0);
    return ERRNO.SUCCESS;
  },
  args_get() { return ERRNO.SUCCESS; },

  environ_sizes_get(countPtr, sizePtr) {
    this.writeU32(countPtr, this.env.length);
    this.writeU32(sizePtr, this.env.reduce((n, e) => n + e.length, 0));
    return ERRNO.SUCCESS;
  },

  environ_get(ptrs, buf) {
    ptrs >>>= 0;
    buf >>>= 0;
    for (const [i, e] of this.env.entries()) {
      if (!this.writeU32(ptrs + 4 * i, buf) || !this.ok(buf, e.length)) return ERRNO.FAULT;
      this.u8.set(e, buf);
      buf += e.length;
    }
    return ERRNO.SUCCESS;
  },

  // clock_time_get(id, i64 precision, ptr): 0 realtime, 1 monotonic, else NOTSUP.
  clock_time_get(id, _precision, ptr) {
    let ns;
    if (id === 0) ns = realtimeNanos();
    else if (id === 1) ns = process.hrtime.bigint() - this.monoStart + 1n;
    else return ERRNO.NOTSUP;
    return this.writeU64(ptr, ns) ? ERRNO.SUCCESS : ERRNO.FAULT;
  },

  // random_get: more than 64 KiB in one call is INVAL.
  random_get(ptr, n) {
    ptr >>>= 0;
    n >>>= 0;
    if (n > 64 << 10) return ERRNO.INVAL;
    if (n === 0) return ERRNO.SUCCESS;
    if (!this.ok(ptr, n)) return ERRNO.FAULT;
    randomFillSync(this.u8, ptr, n);
    return ERRNO.SUCCESS;
  },

  // fd_write: fd 1 logs at info, fd 2 at error, one entry per call with one
  // trailing newline removed; other descriptors BADF.
  fd_write(fd, iovs, n, nwrittenPtr) {
    if (fd !== 1 && fd !== 2) return ERRNO.BADF;
    iovs >>>= 0;
    const parts = [];
    let total = 0;
    for (let i = 0; i < n >>> 0; i++) {
      if (!this.ok(iovs + 8 * i, 8)) return ERRNO.FAULT;
      const ptr = this.dv.getUint32(iovs + 8 * i, true);
      const len = this.dv.getUint32(iovs + 8 * i + 4, true);
      const b = this.read(ptr, len);
      if (b === null) return ERRNO.FAULT;
      parts.push(b);
      total += len;
    }
    this.writeU32(nwrittenPtr, total);
    this.log(fd === 2 ? LOG_ERROR : LOG_INFO, Buffer.concat(parts).toString('utf8').replace(/\n$/, ''));
    return ERRNO.SUCCESS;
  },

  fd_read() { return ERRNO.NOSYS; },
  fd_seek() {
    this.log(LOG_ERROR, 'wasi_unstable fd_seek');
    return ERRNO.SUCCESS;
  },
  fd_close() {
    this.log(LOG_ERROR, 'wasi_unstable fd_close');
    return ERRNO.SUCCESS;
  },

  // fd_fdstat_get: fd 1/2 get 24 bytes, rights_base FD_WRITE (64).
  fd_fdstat_get(fd, ptr) {
    if (fd !== 1 && fd !== 2) return ERRNO.BADF;
    ptr >>>= 0;
    if (!this.ok(ptr, 24)) return ERRNO.FAULT;
    this.u8.fill(0, ptr, ptr + 24);
    this.u8[ptr + 8] = 64;
    return ERRNO.SUCCESS;
  },
  fd_fdstat_set_flags() { return ERRNO.NOSYS; },
  fd_prestat_get() { return ERRNO.BADF; }, // no preopened directories
  fd_prestat_dir_name() { return ERRNO.NOSYS; },
  path_open() { return ERRNO.NOENT; },

  // proc_exit logs and returns: it does not stop the guest.
  proc_exit() { this.log(LOG_ERROR, 'wasi_unstable proc_exit'); },
  sched_yield() { return ERRNO.SUCCESS; },

  // poll_oneoff: ENOSYS on 1.33–1.38, out-parameters untouched; 1.39+
  // report zero events.
  poll_oneoff(_in, _out, _n, neventsPtr) {
    if (this.compiled.profile === '1.33') return ERRNO.NOSYS;
    this.writeU32(neventsPtr, 0);
    return ERRNO.SUCCESS;
  },
};

// streamOp answers continue_stream/close_stream per stream type (§5.4).
function streamOp(vm, t, op) {
  if (t === 0 || t === 1) {
    const s = vm.streams.get(vm.effective);
    if (!s) return Status.NOT_FOUND;
    op(s, t);
    return Status.OK;
  }
  if (t === 2) return Status.OK;
  if (t === 3) return Status.UNIMPLEMENTED;
  return Status.BAD_ARGUMENT;
}

const requestDir = {
  name: 'request', idx: 0, hdr: MAP.REQUEST_HEADERS, trl: MAP.REQUEST_TRAILERS, buf: BUF.REQUEST_BODY,
  onHeaders: 'proxy_on_request_headers', onBody: 'proxy_on_request_body',
};
const responseDir = {
  name: 'response', idx: 1, hdr: MAP.RESPONSE_HEADERS, trl: MAP.RESPONSE_TRAILERS, buf: BUF.RESPONSE_BODY,
  onHeaders: 'proxy_on_response_headers', onBody: 'proxy_on_response_body',
};

/** Stream is one HTTP stream's host-side state. */
class Stream {
  constructor(vm, id, res) {
    this.vm = vm;
    this.id = id;
    this.res = res;
    this.phase = 'request';
    this.maps = [null, null, null, null];
    this.access = [NONE, NONE, NONE, NONE];
    this.body = [null, null]; // {bytes} visible to the running body callback
    this.bodyWritten = [false, false];
    this.continued = [false, false];
    this.reply = null;
    this.through = null;
    this.replying = false;
    this.closed = false;
    this.ended = false;
    this.respHeadersSent = false;
  }

  // run drives one direction: the headers callback, then the body in one
  // frame with end_of_stream (none when the headers ended the message).
  // Returns {out, ok}; ok is false when the stream ended on the way.
  run(d, headers, body) {
    this.phase = d.name;
    const out = emptyMessage();
    this.maps[d.hdr] = headers.map((kv) => [...kv]);
    this.access[d.hdr] = WRITE;
    const eos = !body || body.length === 0;
    const h = this.action(d.onHeaders, d, headers.length, eos ? 1 : 0);
    if (!h.ok) return { out, ok: false };
    if (h.act !== 0) {
      // Pause from headers is StopAllIterationAndWatermark: nothing comes
      // until proxy_continue_stream, which only an http_call answer could
      // bring (not modelled here).
      this.stall(`${d.name} headers paused (Pause from ${d.onHeaders}) and never resumed with proxy_continue_stream`);
      return { out, ok: false };
    }
    this.access[d.hdr] = NONE;
    out.headers = this.maps[d.hdr].map((kv) => [...kv]);
    out.sent = true;
    const status = Number.parseInt(out.headers.find((kv) => kv[0] === ':status')?.[1], 10);
    if (!Number.isNaN(status)) out.status = status;
    if (d === responseDir) this.respHeadersSent = true;
    if (eos) return { out, ok: true };
    const buf = { bytes: body };
    this.body[d.buf] = buf;
    if (this.maps[d.trl] === null) this.access[d.trl] = WRITE; // trailers may be added in the last body callback
    const b = this.action(d.onBody, d, body.length, 1);
    this.body[d.buf] = null;
    this.access[d.trl] = NONE;
    if (!b.ok) return { out, ok: false };
    if (b.act !== 0) {
      this.stall(`${d.name} body paused at end of stream and never resumed`);
      return { out, ok: false };
    }
    out.body = buf.bytes;
    out.trailers = this.maps[d.trl] ? this.maps[d.trl].map((kv) => [...kv]) : null;
    return { out, ok: true };
  }

  // action runs a headers or body callback and maps its result like Envoy
  // (§5.2): a continue_stream during the call counts as continue; a local
  // reply or close_stream ends the stream whatever was returned.
  action(fn, d, size, eos) {
    this.continued[d.idx] = false;
    const r = this.call(fn, false, size, eos);
    if (!r.ok) return { ok: false };
    let act = r.result ?? 0;
    if (this.continued[d.idx]) act = 0;
    if (r.exported && this.vm.trace) {
      const args = fn.endsWith('_body') ? `size=${size} eos=${eos === 1}` : `n=${size} eos=${eos === 1}`;
      this.res.callbacks.push(`${fn.replace(/^proxy_/, '')} ${args} -> ${act === 0 ? 'continue' : 'pause'}`);
    }
    if (this.ended) return { ok: false };
    if (this.closed) {
      this.resetStream('wasm_close_stream');
      return { ok: false };
    }
    if (this.reply) {
      const rp = this.reply;
      this.reply = null;
      rp.from = fn;
      this.answer(rp);
      return { ok: false };
    }
    return { ok: true, act };
  }

  // call runs a stream callback with this stream as the effective context;
  // a trap fails the VM and the stream closed (503). trace records the
  // callback's name in Result.callbacks (when the VM traces).
  call(fn, trace, ...params) {
    const vm = this.vm;
    vm.effective = this.id;
    let result;
    try {
      result = vm.call(fn, this.id, ...params);
    } catch (err) {
      this.res.vmError = err;
      this.failClosed();
      return { ok: false };
    } finally {
      vm.effective = vm.rootID;
    }
    const exported = vm.exports[fn] !== undefined;
    if (exported && trace && vm.trace) this.res.callbacks.push(fn.replace(/^proxy_/, ''));
    return { ok: true, result, exported };
  }

  // finish runs on_log, on_done, on_delete (Envoy logs before done), with
  // request headers, response headers and response trailers readable.
  finish() {
    if (this.vm.failed) return;
    this.phase = 'log';
    this.access = [READ, NONE, READ, READ];
    for (const fn of ['proxy_on_log', 'proxy_on_done', 'proxy_on_delete']) {
      if (!this.call(fn, true).ok) return;
    }
  }

  // answer delivers a local reply the way Envoy does from where it was sent (§8).
  answer(rp) {
    if (!this.res.localReply) this.res.localReply = rp;
    this.ended = true;
    if (this.replying) {
      this.errorf(`local reply ${rp.status} sent from ${rp.from} while the filter was encoding a local reply: Envoy resets the stream`);
      this.resetStream('local_reply_reentry');
    } else if (this.phase === 'request') {
      this.through = rp;
    } else if (this.respHeadersSent) {
      this.errorf(`local reply ${rp.status} sent from ${rp.from} after response headers went downstream: Envoy resets the stream`);
      this.resetStream('local_reply_after_response_headers');
    } else {
      this.res.response = { sent: true, status: rp.status, headers: replyHeaders(rp), body: rp.body, trailers: null };
    }
  }

  // failClosed answers like Envoy's default fail policy: 503
  // wasm_fail_stream, or a reset once response headers went out (§13).
  failClosed() {
    this.ended = true;
    if (this.respHeadersSent) {
      this.resetStream('wasm_fail_stream');
      return;
    }
    const rp = { status: 503, details: 'wasm_fail_stream', body: new Uint8Array(0), headers: [], grpcStatus: 14, from: 'host' };
    if (!this.res.localReply) this.res.localReply = rp;
    this.res.response = { sent: true, status: 503, headers: replyHeaders(rp), body: null, trailers: null };
  }

  stall(msg) {
    this.errorf(msg);
    this.resetStream('stalled');
  }

  resetStream(reason) {
    this.ended = true;
    if (!this.res.reset) this.res.reset = reason;
    this.res.response = emptyMessage();
  }

  // checkContentLength reports a message whose content-length does not
  // match the body that left the filter (a framing error in Envoy, §7.3).
  checkContentLength(what, m) {
    if (!m.sent) return;
    const kv = m.headers.find((p) => p[0] === 'content-length');
    if (!kv) return;
    const n = m.body ? m.body.length : 0;
    if (String(n) !== kv[1]) {
      this.errorf(`${what} body changed while content-length still stands: content-length ${kv[1]}, body ${n} bytes`);
    }
  }

  errorf(msg) { this.res.errors.push(msg); }
}

function emptyMessage() { return { sent: false, status: 0, headers: [], body: null, trailers: null }; }

// withBodyHeaders appends the extra headers (names lower-cased) and, for a
// message with a body, a content-length unless one is given.
function withBodyHeaders(h, extra = [], body = null) {
  for (const [k, v] of extra ?? []) h.push([k.toLowerCase(), v]);
  if (body && !h.some((kv) => kv[0] === 'content-length')) h.push(['content-length', String(body.length)]);
  return h;
}

// replyHeaders are the headers Envoy's sendLocalReply produces.
function replyHeaders(rp) {
  const h = [[':status', String(rp.status)], ...rp.headers.map(([k, v]) => [k.toLowerCase(), v])];
  if (rp.body.length > 0) {
    h.push(['content-length', String(rp.body.length)]);
    if (!h.some((kv) => kv[0] === 'content-type')) h.push(['content-type', 'text/plain']);
  }
  return h;
}

/** encodePairs is the proxy-wasm map serialization (§4.2); an empty map is zero bytes. */
export function encodePairs(h) {
  const b = new Uint8Array(pairsSize(h));
  if (b.length > 0) writePairs(b, new DataView(b.buffer), 0, h);
  return b;
}

// pairsSize is the size of h serialized: 0 for an empty map, else a u32
// count, two u32 lengths per pair and each name and value followed by NUL.
function pairsSize(h) {
  if (h.length === 0) return 0;
  let size = 4;
  for (let i = 0; i < h.length; i++) size += 10 + h[i][0].length + h[i][1].length;
  return size;
}

// writePairs serializes a non-empty h at off of b (dv a DataView of the
// same memory), NULs included.
function writePairs(b, dv, off, h) {
  dv.setUint32(off, h.length, true);
  off += 4;
  for (let i = 0; i < h.length; i++) {
    dv.setUint32(off, h[i][0].length, true);
    dv.setUint32(off + 4, h[i][1].length, true);
    off += 8;
  }
  for (let i = 0; i < h.length; i++) {
    off = writeLatin1(b, off, h[i][0]);
    b[off++] = 0;
    off = writeLatin1(b, off, h[i][1]);
    b[off++] = 0;
  }
}

// writeLatin1 writes str one byte per char at off of b and returns the
// offset after it.
function writeLatin1(b, off, str) {
  for (let i = 0; i < str.length; i++) b[off++] = str.charCodeAt(i);
  return off;
}

/** decodePairs parses strictly like cpp-host: any malformation gives an empty map (§4.2). */
export function decodePairs(data) {
  const b = Buffer.from(data.buffer, data.byteOffset, data.length);
  if (b.length < 4 || b.length > 1 << 20) return [];
  const n = b.readUInt32LE(0);
  if (n > 1024 || b.length < 4 + 8 * n) return [];
  let off = 4 + 8 * n;
  const out = [];
  for (let i = 0; i < n; i++) {
    const kl = b.readUInt32LE(4 + 8 * i);
    const vl = b.readUInt32LE(8 + 8 * i);
    if (b.length - off < kl + vl + 2 || b[off + kl] !== 0 || b[off + kl + 1 + vl] !== 0) return [];
    out.push([b.toString('latin1', off, off + kl), b.toString('latin1', off + kl + 1, off + kl + 1 + vl)]);
    off += kl + vl + 2;
  }
  return off === b.length ? out : [];
}

function realtimeNanos() {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}

function toBytes(x) {
  if (typeof x === 'string') return Buffer.from(x, 'utf8');
  return x instanceof Uint8Array ? x : new Uint8Array(x);
}
