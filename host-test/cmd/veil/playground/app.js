// Veil playground: every edit is sent (debounced) to this server's /api/run,
// which lints the rule set and runs the exchange through the plugin module;
// the answer is drawn here. No other request leaves the page, and nothing is
// kept in the browser: a shared link holds its state after the #.
"use strict";

const LIMITS = { rules: 256 * 1024, body: 1024 * 1024 };
const DEBOUNCE_MS = 250;

const $ = (id) => document.getElementById(id);

// fields are the inputs that make up the playground state, by state key.
const fields = {
  rules: $("rules"),
  reqMethod: $("req-method"),
  reqPath: $("req-path"),
  reqHeaders: $("req-headers"),
  reqBody: $("req-body"),
  respStatus: $("resp-status"),
  respHeaders: $("resp-headers"),
  respBody: $("resp-body"),
  properties: $("properties"),
  chunk: $("chunk"),
};

function readState() {
  const s = {};
  for (const [k, el] of Object.entries(fields)) s[k] = el.value;
  return s;
}

function writeState(s) {
  for (const [k, el] of Object.entries(fields)) el.value = typeof s[k] === "string" ? s[k] : "";
  renderEditor([]);
  schedule(0);
}

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function setStatus(text, kind) {
  const s = $("status");
  s.textContent = text;
  s.dataset.kind = kind || "";
}

// ---- the rule-set editor: line numbers, diagnostics at their line

let lastDiags = [];

function renderEditor(diags) {
  if (diags) lastDiags = diags;
  const lines = fields.rules.value.split("\n");
  const byLine = new Map();
  for (const d of lastDiags) {
    if (!byLine.has(d.line)) byLine.set(d.line, []);
    byLine.get(d.line).push(d);
  }
  const gutter = $("rules-gutter");
  const backdrop = $("rules-backdrop");
  gutter.textContent = "";
  backdrop.textContent = "";
  const count = Math.max(lines.length, ...lastDiags.map((d) => d.line));
  for (let i = 1; i <= count; i++) {
    const ds = byLine.get(i);
    const num = el("div", "ln", String(i));
    num.dataset.line = String(i);
    const text = lines[i - 1] ?? "";
    const row = el("div", "bl");
    if (ds) {
      const sev = ds.some((d) => d.severity === "error") ? "error" : "warning";
      num.classList.add("diag-" + sev);
      row.classList.add("diag-" + sev);
      num.title = ds.map((d) => `${d.line}:${d.col}: ${d.severity}: ${d.message}`).join("\n");
      const col = Math.max(1, Math.min(ds[0].col, text.length + 1));
      const chars = Array.from(text);
      row.append(chars.slice(0, col - 1).join(""));
      row.append(el("span", "diag-col", chars[col - 1] || " "));
      row.append(chars.slice(col).join(""));
    } else {
      row.textContent = text;
    }
    row.append("\n");
    gutter.append(num);
    backdrop.append(row);
  }
  syncScroll();
  const list = $("diagnostics");
  list.textContent = "";
  for (const d of lastDiags) {
    const li = el("li", "diag diag-" + d.severity);
    li.dataset.line = String(d.line);
    li.dataset.col = String(d.col);
    const where = el("button", "where", `${d.line}:${d.col}`);
    where.type = "button";
    where.title = "go to line " + d.line;
    where.addEventListener("click", () => goTo(d.line, d.col));
    li.append(where, " ", el("span", "sev", d.severity + (d.code ? `[${d.code}]` : "")), ": ");
    if (d.rule) li.append(el("span", "rule", `rule "${d.rule}"`), ": ");
    li.append(d.message);
    list.append(li);
  }
}

function syncScroll() {
  const ta = fields.rules;
  $("rules-gutter").scrollTop = ta.scrollTop;
  $("rules-backdrop").scrollTop = ta.scrollTop;
  $("rules-backdrop").scrollLeft = ta.scrollLeft;
}

function goTo(line, col) {
  const ta = fields.rules;
  const lines = ta.value.split("\n");
  let pos = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) pos += lines[i].length + 1;
  pos += Math.max(0, col - 1);
  ta.focus();
  ta.setSelectionRange(pos, pos);
  const lh = parseFloat(getComputedStyle(ta).lineHeight) || 18;
  ta.scrollTop = Math.max(0, (line - 3) * lh);
  syncScroll();
}

// ---- running

let timer = 0;
let inflight = null;
let seq = 0;

function schedule(delay) {
  clearTimeout(timer);
  timer = setTimeout(run, delay === undefined ? DEBOUNCE_MS : delay);
}

function tooLarge(s) {
  const size = (t) => new TextEncoder().encode(t).length;
  if (size(s.rules) > LIMITS.rules) return "the rule set is over 256 KiB: the playground takes up to 256 KiB";
  if (size(s.reqBody) > LIMITS.body) return "the request body is over 1 MiB: the playground takes up to 1 MiB per body";
  if (size(s.respBody) > LIMITS.body) return "the response body is over 1 MiB: the playground takes up to 1 MiB per body";
  return "";
}

async function run() {
  const s = readState();
  const big = tooLarge(s);
  if (big) {
    setStatus(big, "error");
    return;
  }
  if (inflight) inflight.abort();
  const ctl = new AbortController();
  inflight = ctl;
  const mine = ++seq;
  setStatus("running…", "busy");
  const body = {
    rules: s.rules,
    request: { method: s.reqMethod, path: s.reqPath, headers: s.reqHeaders, body: s.reqBody },
    response: { status: parseInt(s.respStatus, 10) || 0, headers: s.respHeaders, body: s.respBody },
    properties: s.properties,
    chunk: parseInt(s.chunk, 10) || 0,
  };
  let res;
  try {
    const r = await fetch("api/run", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal: ctl.signal,
      credentials: "omit",
      cache: "no-store",
    });
    res = await r.json();
    if (!r.ok) throw new Error(res.error || "HTTP " + r.status);
  } catch (e) {
    if (e.name === "AbortError") return;
    if (mine === seq) setStatus(e.message, "error");
    return;
  }
  if (mine !== seq) return;
  inflight = null;
  render(res);
}

// ---- drawing the answer

function render(res) {
  renderEditor(res.diagnostics || []);
  const errs = (res.diagnostics || []).filter((d) => d.severity === "error").length;
  const warns = (res.diagnostics || []).length - errs;
  const inputErrors = $("input-errors");
  inputErrors.textContent = "";
  for (const m of res.input_errors || []) inputErrors.append(el("li", "", m));
  const notes = $("notes");
  notes.textContent = "";
  for (const m of res.notes || []) notes.append(el("li", "", m));
  for (const l of res.logs || []) notes.append(el("li", "log", `plugin ${l.level}: ${l.message}`));
  for (const e of res.errors || []) notes.append(el("li", "err", "exchange error: " + e));
  if (res.reset) notes.append(el("li", "err", "stream reset: " + res.reset));

  const startError = $("start-error");
  startError.hidden = !res.start_error;
  startError.textContent = res.start_error ? "The plugin refused this rule set: " + res.start_error : "";

  const outputs = document.querySelectorAll(".out, #changes tbody, #findings tbody, #metrics tbody");
  if (!res.ran) {
    for (const o of outputs) o.classList.add("stale");
    for (const pre of document.querySelectorAll(".out")) {
      if (!pre.textContent) pre.append(el("span", "none", "(no output yet: the rule set must compile first)"));
    }
    if (errs) setStatus(`${errs} error${errs > 1 ? "s" : ""} in the rule set: output not updated`, "error");
    else if ((res.input_errors || []).length) setStatus("an attribute cannot be read: output not updated", "error");
    else setStatus("the plugin refused the rule set", "error");
    return;
  }
  for (const o of outputs) o.classList.remove("stale");

  const changes = [];
  drawOutput($("out-request"), res.request, "request", changes, "(no request body)");
  const lr = $("local-reply");
  lr.hidden = !res.local_reply;
  lr.textContent = "";
  if (res.local_reply) {
    const r = res.local_reply;
    lr.append(el("strong", "", `Local reply ${r.status}`), ` — the filter rejected the exchange (${r.details ? r.details + ", " : ""}sent from ${r.from}).`);
    if (r.body) lr.append(el("pre", "", r.body));
    $("out-response").textContent = "";
    $("out-response").append(el("span", "none", `(the client gets the local reply ${r.status} instead)`));
    $("hdr-response").hidden = true;
  } else {
    drawOutput($("out-response"), res.response, "response", changes, "(no response body)");
  }
  drawChanges(changes);
  drawFindings(res.audit);
  drawMetrics(res.metrics || []);
  const n = changes.filter((c) => c.kind !== "removed").length;
  const rm = changes.length - n;
  const t = res.timing || {};
  setStatus(
    (res.local_reply ? `rejected: local reply ${res.local_reply.status}` : `${n} changed, ${rm} removed`) +
      (warns ? `, ${warns} warning${warns > 1 ? "s" : ""}` : "") +
      ` · VM start ${fmtMs(t.start_ms)}, exchange ${fmtMs(t.exchange_ms)}`,
    res.local_reply ? "reject" : "ok",
  );
}

function fmtMs(v) {
  return v === undefined ? "?" : v.toFixed(1) + " ms";
}

function drawOutput(pre, out, dir, changes, empty) {
  pre.textContent = "";
  drawHeaders($("hdr-" + dir), out);
  if (!out) {
    pre.append(el("span", "none", empty));
    return;
  }
  if (out.rejected) {
    pre.append(el("span", "none", "(rejected: the filter answered with the local reply above; the exchange ended there)"));
    return;
  }
  if (!out.sent) {
    pre.append(el("span", "none", `(the ${dir} did not pass the filter)`));
    return;
  }
  if (!out.view) {
    pre.append(el("span", "none", empty));
    return;
  }
  const base = changes.length;
  for (const c of out.view.changes || []) changes.push(Object.assign({ dir }, c));
  for (const seg of out.view.segments) {
    if (!seg.c) {
      pre.append(seg.t);
      continue;
    }
    const ch = changes[base + seg.c - 1];
    const m = el(seg.r ? "span" : "mark", seg.r ? "ghost" : "chg", seg.t);
    m.dataset.change = String(base + seg.c - 1);
    m.dataset.path = ch.path;
    m.title = describe(ch);
    if (!seg.t) m.classList.add("gone");
    pre.append(m);
  }
}

// drawHeaders lists a forwarded message's headers, marking those the filter
// added or changed and naming those it removed.
function drawHeaders(box, out) {
  const summary = box.querySelector("summary");
  const list = box.querySelector("ul");
  list.textContent = "";
  box.hidden = !out || !out.sent || out.rejected;
  if (box.hidden) return;
  const kinds = new Map((out.header_changes || []).map((c) => [c.name, c.kind]));
  for (const [name, value] of out.headers || []) {
    const li = el("li", "", `${name}: ${value}`);
    const kind = kinds.get(name);
    if (kind) {
      li.className = "hdr-" + kind;
      li.title = kind + " by the filter";
    }
    list.append(li);
  }
  for (const c of out.header_changes || []) {
    if (c.kind === "removed") {
      const li = el("li", "hdr-removed", c.name);
      li.title = "removed by the filter";
      list.append(li);
    }
  }
  const n = kinds.size;
  summary.textContent = `headers (${(out.headers || []).length})` + (n ? ` · ${n} changed by the filter` : "");
  if (n) box.open = true;
}

function describe(ch) {
  const by = (ch.by || []).map((b) => {
    let s = `${b.rule} (${b.action}${b.mode === "shadow" ? ", shadow" : ""})`;
    if (b.detector) s += ` detector ${b.detector}`;
    if (b.evidence) s += ` evidence ${b.evidence}`;
    return s;
  });
  return `${ch.path}: ${ch.kind}` + (by.length ? " by " + by.join("; ") : "");
}

function cell(tr, text, cls) {
  const td = el("td", cls, text === undefined ? "" : String(text));
  tr.append(td);
  return td;
}

function drawChanges(changes) {
  const tb = $("changes").querySelector("tbody");
  tb.textContent = "";
  if (!changes.length) {
    const tr = el("tr");
    cell(tr, "nothing changed", "none").colSpan = 7;
    tb.append(tr);
  }
  changes.forEach((c, i) => {
    const causes = c.by && c.by.length ? c.by : [{}];
    for (const b of causes) {
      const tr = el("tr");
      tr.dataset.change = String(i);
      cell(tr, c.dir);
      cell(tr, c.path, "mono path");
      cell(tr, c.kind, "kind");
      cell(tr, b.rule || "", "mono rule");
      cell(tr, b.action ? b.action + (b.mode === "shadow" ? " (shadow)" : "") : "");
      cell(tr, b.detector || "");
      cell(tr, b.evidence || "");
      tr.addEventListener("mouseenter", () => spot(i, true));
      tr.addEventListener("mouseleave", () => spot(i, false));
      tb.append(tr);
    }
  });
}

// spot highlights change i in the output and the table.
function spot(i, on) {
  for (const e of document.querySelectorAll(`[data-change="${i}"]`)) e.classList.toggle("spot", on);
}

document.addEventListener("mouseover", (ev) => {
  const t = ev.target.closest && ev.target.closest(".out [data-change]");
  if (t) spot(t.dataset.change, true);
});
document.addEventListener("mouseout", (ev) => {
  const t = ev.target.closest && ev.target.closest(".out [data-change]");
  if (t) spot(t.dataset.change, false);
});

function drawFindings(audit) {
  const tb = $("findings").querySelector("tbody");
  tb.textContent = "";
  const rows = [];
  if (audit) {
    for (const f of audit.findings || []) rows.push([f.direction, f.rule, f.action, f.mode, f.count, f.paths]);
    for (const m of audit.minimized || []) rows.push([m.direction, m.allow_list, "minimize", "enforce", m.count, m.paths]);
  }
  if (!rows.length) {
    const tr = el("tr");
    cell(tr, "no audit line: the rule set found nothing", "none").colSpan = 6;
    tb.append(tr);
  }
  for (const r of rows) {
    const tr = el("tr");
    r.slice(0, 5).forEach((v, i) => cell(tr, v, i === 1 ? "mono rule" : ""));
    cell(tr, (r[5] || []).join(", "), "mono paths");
    tb.append(tr);
  }
}

function drawMetrics(metrics) {
  const tb = $("metrics").querySelector("tbody");
  tb.textContent = "";
  if (!metrics.length) {
    const tr = el("tr");
    cell(tr, "no metric moved", "none").colSpan = 3;
    tb.append(tr);
  }
  for (const m of metrics) {
    const tr = el("tr");
    cell(tr, m.name.replace(/^wasmcustom\./, ""), "mono");
    cell(tr, m.type);
    cell(tr, m.samples ? m.samples.join(", ") : (m.delta > 0 ? "+" : "") + m.delta, "num");
    tb.append(tr);
  }
}

// ---- examples

let examples = [];

async function loadExamples() {
  const r = await fetch("api/examples", { credentials: "omit" });
  examples = await r.json();
  const sel = $("example");
  for (const ex of examples) {
    const o = el("option", "", ex.name);
    o.value = ex.name;
    sel.append(o);
  }
}

function exampleState(ex) {
  return {
    rules: ex.rules,
    reqMethod: ex.request.method || "",
    reqPath: ex.request.path || "",
    reqHeaders: ex.request.headers || "",
    reqBody: ex.request.body || "",
    respStatus: ex.response.status ? String(ex.response.status) : "",
    respHeaders: ex.response.headers || "",
    respBody: ex.response.body || "",
    properties: ex.properties || "",
    chunk: ex.chunk ? String(ex.chunk) : "",
  };
}

$("example").addEventListener("change", (ev) => {
  const ex = examples.find((e) => e.name === ev.target.value);
  if (ex) writeState(exampleState(ex));
});

// ---- share: the state in the URL fragment, compressed when the browser can

function toB64url(bytes) {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromB64url(s) {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function pipe(bytes, stream) {
  return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(stream)).arrayBuffer());
}

async function encodeState(s) {
  const raw = new TextEncoder().encode(JSON.stringify(Object.assign({ veil_playground: 1 }, s)));
  if (typeof CompressionStream === "function") return "v1.z." + toB64url(await pipe(raw, new CompressionStream("deflate-raw")));
  return "v1.j." + toB64url(raw);
}

async function decodeState(frag) {
  const m = /^v1\.([zj])\.([A-Za-z0-9_-]*)$/.exec(frag);
  if (!m) throw new Error("this link's fragment is not a playground state");
  let bytes = fromB64url(m[2]);
  if (m[1] === "z") {
    if (typeof DecompressionStream !== "function") throw new Error("this browser cannot decompress the shared state");
    bytes = await pipe(bytes, new DecompressionStream("deflate-raw"));
  }
  return checkState(JSON.parse(new TextDecoder().decode(bytes)));
}

function checkState(s) {
  if (!s || s.veil_playground !== 1) throw new Error("not a Veil playground state");
  return s;
}

$("share").addEventListener("click", async () => {
  const frag = await encodeState(readState());
  history.replaceState(null, "", "#" + frag);
  const url = location.href;
  $("share-url").value = url;
  $("share-box").hidden = false;
  $("share-url").select();
  let note = `link of ${url.length} characters; the part after # stays in the browser`;
  try {
    await navigator.clipboard.writeText(url);
    note = "copied: " + note;
  } catch (e) {
    /* the link stays selected for copying by hand */
  }
  $("share-note").textContent = note;
});

$("share-close").addEventListener("click", () => {
  $("share-box").hidden = true;
});

$("download").addEventListener("click", () => {
  const blob = new Blob([JSON.stringify(Object.assign({ veil_playground: 1 }, readState()), null, 2) + "\n"], { type: "application/json" });
  const a = el("a");
  a.href = URL.createObjectURL(blob);
  a.download = "veil-playground.json";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
});

$("open").addEventListener("change", async (ev) => {
  const f = ev.target.files[0];
  ev.target.value = "";
  if (!f) return;
  try {
    writeState(checkState(JSON.parse(await f.text())));
  } catch (e) {
    setStatus("cannot open " + f.name + ": " + e.message, "error");
  }
});

// ---- wiring

for (const e of Object.values(fields)) e.addEventListener("input", () => schedule());
fields.rules.addEventListener("input", () => renderEditor());
fields.rules.addEventListener("scroll", syncScroll);
fields.rules.addEventListener("keydown", (ev) => {
  if (ev.key !== "Tab" || ev.shiftKey || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  ev.preventDefault(); // YAML wants spaces: Tab indents by two
  const ta = ev.target;
  ta.setRangeText("  ", ta.selectionStart, ta.selectionEnd, "end");
  renderEditor();
  schedule();
});

async function start() {
  try {
    await loadExamples();
  } catch (e) {
    setStatus("cannot list the examples: " + e.message, "error");
  }
  const frag = location.hash.slice(1);
  if (frag) {
    try {
      writeState(await decodeState(frag));
      return;
    } catch (e) {
      setStatus(e.message, "error");
    }
  }
  const first = examples.find((e) => e.name === "customer-api") || examples[0];
  if (first) {
    $("example").value = first.name;
    writeState(exampleState(first));
  } else {
    writeState({});
  }
}

window.addEventListener("hashchange", async () => {
  const frag = location.hash.slice(1);
  if (!frag) return;
  try {
    writeState(await decodeState(frag));
  } catch (e) {
    setStatus(e.message, "error");
  }
});

start();
