// The dashboard is a /ws client like any other. Everything a peer or the server sends is shown with
// textContent, never parsed as HTML.
const $ = (id) => document.getElementById(id);
const OUTPUT_LINES = 40;
const FINISHED_SHOWN = 50;
const TERMINAL = new Set(["completed", "failed", "cancelled"]);

const state = { proxies: new Map(), jobs: new Map(), output: new Map() };
let socket = null;
let nextId = 1;
let retryMs = 500;
const pending = new Map();

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function socketUrl() {
  const url = new URL("/ws", window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const token = new URLSearchParams(window.location.search).get("token");
  if (token) url.searchParams.set("token", token);
  return url.toString();
}

function send(command, args = {}) {
  const id = `d${nextId++}`;
  socket.send(JSON.stringify({ message_id: id, command, args }));
  return new Promise((resolve) => pending.set(id, resolve));
}

function connect() {
  setConnection("connecting");
  socket = new WebSocket(socketUrl());
  socket.addEventListener("open", () => {
    retryMs = 500;
    setConnection("open");
    reseed();
  });
  socket.addEventListener("message", (e) => {
    let frame;
    try { frame = JSON.parse(e.data); } catch { return; }
    onFrame(frame);
  });
  socket.addEventListener("close", () => {
    // Any close, a backpressure close included: reconnect and reseed from fresh snapshots.
    for (const resolve of pending.values()) resolve({ error_code: "closed" });
    pending.clear();
    setConnection("closed");
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 5000);
  });
}

function reseed() {
  state.proxies.clear();
  state.jobs.clear();
  state.output.clear();
  render();
  send("follow_jobs");
  send("subscribe_events");
  send("get_nodes").then(renderNodes);
}

function setConnection(s) {
  const node = $("connection");
  node.dataset.state = s;
  node.textContent = s === "open" ? "connected" : s === "closed" ? "reconnecting" : "connecting";
}

function onFrame(frame) {
  if (frame.event) {
    onEvent(frame.event, frame.data ?? {});
    return;
  }
  const resolve = pending.get(frame.message_id);
  if (resolve) {
    pending.delete(frame.message_id);
    resolve(frame);
  }
}

function setProxies(list) {
  state.proxies.clear();
  for (const p of list ?? []) state.proxies.set(p.id, { ...p });
}

function updateSlots(d) {
  const p = state.proxies.get(d.proxy_id);
  if (!p) return;
  p.in_use = d.in_use;
  p.queued = d.queued;
}

function upsertJob(job) {
  if (job && job.job_id) state.jobs.set(job.job_id, job);
}

function onEvent(name, d) {
  switch (name) {
    case "server_info":
      $("version").textContent = d.version ? `v${d.version}` : "";
      setProxies(d.proxies);
      break;
    case "initial_state":
      setProxies(d.proxies);
      break;
    case "proxy_connected":
      state.proxies.set(d.id, { id: d.id, name: d.name, slots: d.slots, in_use: 0, queued: 0 });
      break;
    case "proxy_disconnected":
      state.proxies.delete(d.id);
      break;
    case "slot_acquired":
    case "slot_released":
    case "connect_queued":
      updateSlots(d);
      break;
    case "jobs_snapshot":
      for (const job of d.jobs ?? []) upsertJob(job);
      break;
    case "job_output": {
      const lines = state.output.get(d.job_id) ?? [];
      lines.push(d.line);
      if (lines.length > OUTPUT_LINES) lines.splice(0, lines.length - OUTPUT_LINES);
      state.output.set(d.job_id, lines);
      break;
    }
    case "job_evicted":
      state.jobs.delete(d.job_id);
      state.output.delete(d.job_id);
      break;
    default:
      if (name.startsWith("job_") && d.job_id && d.status) upsertJob(d);
      else return;
  }
  render();
}

function render() {
  renderProxies();
  renderJobs();
}

function renderProxies() {
  const rows = [];
  for (const p of state.proxies.values()) {
    const tr = el("tr");
    tr.dataset.proxy = p.id;
    tr.dataset.inUse = String(p.in_use ?? 0);
    const slots = el("td");
    slots.className = "slots";
    for (let i = 0; i < (p.slots ?? 0); i++) {
      const s = el("span", null, "slot");
      s.dataset.busy = String(i < (p.in_use ?? 0));
      slots.append(s);
    }
    const capacity = Math.max(0, (p.slots ?? 0) - (p.in_use ?? 0));
    tr.append(el("td", p.name || p.id), slots, el("td", p.in_use ?? 0, "in-use"), el("td", p.queued ?? 0, "queued"),
      el("td", `${capacity} free of ${p.slots ?? 0}`, "capacity"));
    rows.push(tr);
  }
  $("proxies").replaceChildren(...rows);
  $("no-proxies").hidden = rows.length > 0;
}

function renderJobs() {
  const live = [];
  const finished = [];
  for (const job of state.jobs.values()) (TERMINAL.has(job.status) ? finished : live).push(job);

  $("live-jobs").replaceChildren(...live.map((job) => {
    const box = el("div", null, "job");
    box.dataset.job = job.job_id;
    box.dataset.status = job.status;
    box.append(el("strong", job.label || job.job_id), el("span", ` ${job.status}`, "muted"),
      el("pre", (state.output.get(job.job_id) ?? []).join("\n")));
    return box;
  }));
  $("no-live-jobs").hidden = live.length > 0;

  $("finished-jobs").replaceChildren(...finished.slice(-FINISHED_SHOWN).reverse().map((job) => {
    const tr = el("tr");
    tr.dataset.job = job.job_id;
    tr.dataset.status = job.status;
    const detail = job.error_code ? `${job.error_code}: ${job.error ?? ""}` : job.result?.address ?? "";
    tr.append(el("td", job.job_id), el("td", job.label ?? ""), el("td", job.status, `verdict status-${job.status}`),
      el("td", shortTime(job.finished_at)), el("td", detail));
    return tr;
  }));
}

function shortTime(iso) {
  const t = iso ? new Date(iso) : null;
  return t && !Number.isNaN(t.getTime()) ? t.toLocaleTimeString() : "";
}

function renderNodes(frame) {
  // Until the node API exists the server answers with an error (unknown or invalid command): no nodes yet.
  const nodes = Array.isArray(frame.result) ? frame.result : Array.isArray(frame.result?.nodes) ? frame.result.nodes : [];
  $("nodes").replaceChildren(...nodes.map((n) => el("li", `${n.node_id ?? ""} ${n.label ?? n.name ?? ""}`.trim())));
  $("no-nodes").hidden = nodes.length > 0;
}

$("commission").addEventListener("submit", async (e) => {
  e.preventDefault();
  const out = $("commission-result");
  if (!socket || socket.readyState !== WebSocket.OPEN) {
    out.textContent = "not connected";
    return;
  }
  const args = { code: $("code").value };
  const label = $("label").value.trim();
  if (label) args.label = label;
  out.textContent = "starting…";
  const frame = await send("commission_with_code", args);
  if (frame.result?.job_id) {
    out.textContent = `job ${frame.result.job_id}`;
    $("code").value = "";
  } else {
    out.textContent = `${frame.error_code ?? "error"}: ${frame.details ?? ""}`;
  }
});

connect();
