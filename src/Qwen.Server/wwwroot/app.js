// The Qwen.Agents browser UI: plain JavaScript, no build step. Model output and document text only ever reach the page as
// text nodes (textContent); the Markdown renderer below builds DOM elements itself and never parses HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { session: null, running: false, apiKey: localStorage.getItem("qwen.apiKey") || "" };

// ---------- HTTP ----------
async function api(path, options = {}) {
  const headers = new Headers(options.headers || {});
  if (state.apiKey) headers.set("Authorization", "Bearer " + state.apiKey);
  const response = await fetch(path, { ...options, headers });
  if (response.status === 401) {
    const key = prompt("This server needs its API key:");
    if (key) {
      state.apiKey = key;
      localStorage.setItem("qwen.apiKey", key);
      return api(path, options);
    }
  }
  if (!response.ok && !(response.headers.get("content-type") || "").startsWith("text/event-stream")) {
    let message = response.status + " " + response.statusText;
    try { message = (await response.json()).error.message; } catch { /* not JSON */ }
    throw new Error(message);
  }
  return response;
}

const json = async (path, options) => (await api(path, options)).json();

// Images need the key too, so they are fetched and shown from blob URLs.
async function loadImage(img, url) {
  try {
    const blob = await (await api(url)).blob();
    img.src = URL.createObjectURL(blob);
  } catch (e) {
    img.alt = "image failed to load: " + e.message;
  }
}

// ---------- Safe Markdown ----------
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function renderInline(parent, text) {
  // Code spans, links, bold, italics; everything else as plain text.
  const pattern = /(`+)([\s\S]*?)\1|\[([^\]]+)\]\(([^)\s]+)\)|\*\*([^*]+)\*\*|__([^_]+)__|\*([^*\s][^*]*)\*|_([^_\s][^_]*)_/g;
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    if (m.index > last) parent.append(document.createTextNode(text.slice(last, m.index)));
    if (m[1]) parent.append(el("code", null, m[2]));
    else if (m[3]) {
      if (/^https?:\/\//i.test(m[4])) {
        const a = el("a", null, m[3]);
        a.href = m[4];
        a.target = "_blank";
        a.rel = "noopener noreferrer nofollow";
        parent.append(a);
      } else parent.append(document.createTextNode(m[0]));
    } else if (m[5] || m[6]) renderInline(parent.appendChild(el("strong")), m[5] || m[6]);
    else renderInline(parent.appendChild(el("em")), m[7] || m[8]);
    last = m.index + m[0].length;
  }
  if (last < text.length) parent.append(document.createTextNode(text.slice(last)));
}

function splitRow(line) {
  return line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim());
}

function renderMarkdown(container, source) {
  container.replaceChildren();
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  let i = 0;
  let paragraph = [];
  const flush = () => {
    if (paragraph.length) renderInline(container.appendChild(el("p")), paragraph.join("\n"));
    paragraph = [];
  };
  while (i < lines.length) {
    const line = lines[i];
    const fence = line.match(/^\s*(```+|~~~+)\s*([\w+-]*)/);
    if (fence) {
      flush();
      const body = [];
      i++;
      while (i < lines.length && !lines[i].trim().startsWith(fence[1])) body.push(lines[i++]);
      i++;
      const pre = container.appendChild(el("pre"));
      const code = pre.appendChild(el("code", null, body.join("\n")));
      if (fence[2]) code.dataset.lang = fence[2];
      continue;
    }
    if (/^\s*\|.*\|\s*$/.test(line) && i + 1 < lines.length && /^\s*\|?\s*:?-{3,}/.test(lines[i + 1])) {
      flush();
      const table = container.appendChild(el("table"));
      const head = table.appendChild(el("thead")).appendChild(el("tr"));
      for (const cell of splitRow(line)) renderInline(head.appendChild(el("th")), cell);
      const body = table.appendChild(el("tbody"));
      i += 2;
      while (i < lines.length && /^\s*\|.*\|\s*$/.test(lines[i])) {
        const row = body.appendChild(el("tr"));
        for (const cell of splitRow(lines[i++])) renderInline(row.appendChild(el("td")), cell);
      }
      continue;
    }
    const heading = line.match(/^(#{1,6})\s+(.*)$/);
    if (heading) {
      flush();
      renderInline(container.appendChild(el("h" + Math.min(heading[1].length + 2, 6))), heading[2]);
      i++;
      continue;
    }
    const item = line.match(/^\s*([-*+]|\d+[.)])\s+(.*)$/);
    if (item) {
      flush();
      const list = container.appendChild(el(/\d/.test(item[1]) ? "ol" : "ul"));
      while (i < lines.length) {
        const m = lines[i].match(/^\s*([-*+]|\d+[.)])\s+(.*)$/);
        if (!m) break;
        renderInline(list.appendChild(el("li")), m[2]);
        i++;
      }
      continue;
    }
    if (line.trim() === "") flush();
    else paragraph.push(line);
    i++;
  }
  flush();
}

// ---------- Messages ----------
const messages = () => $("messages");
const scrollDown = () => { messages().scrollTop = messages().scrollHeight; };

function addUser(text) {
  const msg = messages().appendChild(el("div", "msg user"));
  msg.appendChild(el("div", "bubble", text));
  scrollDown();
}

function addAssistant() {
  const msg = messages().appendChild(el("div", "msg assistant"));
  const bubble = msg.appendChild(el("div", "bubble markdown"));
  return { msg, bubble, text: "" };
}

function addReasoning(open) {
  const details = messages().appendChild(el("details", "msg reasoning"));
  details.open = open;
  details.appendChild(el("summary", null, "Reasoning"));
  const text = details.appendChild(el("div", "text"));
  return { details, text };
}

function addToolCard(name, args) {
  const card = messages().appendChild(el("div", "msg tool-card running"));
  const head = card.appendChild(el("div", "head"));
  head.appendChild(el("span", "name", "Tool: " + name));
  head.appendChild(el("span", "state", "running"));
  const argsBlock = card.appendChild(el("details", "arguments"));
  argsBlock.appendChild(el("summary", null, "Arguments"));
  argsBlock.appendChild(el("pre", null, prettyJson(args)));
  scrollDown();
  return card;
}

function finishToolCard(card, result, images) {
  card.classList.replace("running", "done");
  card.querySelector(".state").textContent = "done";
  const block = card.appendChild(el("details", "result"));
  block.open = !images.length;
  block.appendChild(el("summary", null, "Result"));
  block.appendChild(el("pre", null, result || "(no output)"));
  for (const url of images) {
    const img = card.appendChild(el("img"));
    img.alt = "chart";
    loadImage(img, url);
  }
  scrollDown();
}

function prettyJson(text) {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
}

function addError(text) {
  const msg = messages().appendChild(el("div", "msg error"));
  msg.appendChild(el("div", "bubble", text));
  scrollDown();
}

function renderItems(items) {
  messages().replaceChildren();
  for (const item of items) {
    if (item.type === "user") addUser(item.text);
    else if (item.type === "reasoning") addReasoning(false).text.textContent = item.text;
    else if (item.type === "text") renderMarkdown(addAssistant().bubble, item.text);
    else if (item.type === "tool") {
      const card = addToolCard(item.name, item.arguments);
      if (item.result !== null && item.result !== undefined) finishToolCard(card, item.result, item.images || []);
      else { card.classList.replace("running", "done"); card.querySelector(".state").textContent = "not run"; }
    }
  }
  scrollDown();
}

// ---------- Sessions ----------
async function refreshSessions() {
  const { sessions } = await json("api/sessions");
  const list = $("sessions");
  list.replaceChildren();
  for (const s of sessions) {
    const li = list.appendChild(el("li", s.id === state.session ? "active" : ""));
    li.dataset.id = s.id;
    const open = li.appendChild(el("button", "open", s.title));
    open.type = "button";
    open.title = s.title;
    open.addEventListener("click", () => openSession(s.id));
    const del = li.appendChild(el("button", "delete", "✕"));
    del.type = "button";
    del.title = "Delete";
    del.setAttribute("aria-label", "Delete " + s.title);
    del.addEventListener("click", () => deleteSession(s.id));
  }
}

async function openSession(id) {
  const session = await json("api/sessions/" + id);
  state.session = id;
  if (session.agent) $("agent").value = session.agent;
  if (session.tools.length) for (const box of document.querySelectorAll("#tools input")) box.checked = session.tools.includes(box.value);
  showAttachments(session.files);
  renderItems(session.items);
  document.body.classList.remove("sidebar-open");
  await refreshSessions();
}

async function deleteSession(id) {
  await api("api/sessions/" + id, { method: "DELETE" });
  if (state.session === id) newChat();
  await refreshSessions();
}

function newChat() {
  state.session = null;
  messages().replaceChildren();
  showAttachments([]);
  document.body.classList.remove("sidebar-open");
  refreshSessions();
}

async function ensureSession() {
  if (!state.session) {
    const created = await json("api/sessions", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ agent: $("agent").value }) });
    state.session = created.id;
  }
  return state.session;
}

function showAttachments(files) {
  const box = $("attachments");
  box.replaceChildren();
  for (const f of files || []) box.appendChild(el("span", null, f));
}

async function upload(files) {
  if (!files.length) return;
  const id = await ensureSession();
  const form = new FormData();
  for (const f of files) form.append("file", f, f.name);
  setStatus("Uploading…");
  try {
    await api("api/sessions/" + id + "/files", { method: "POST", body: form });
    const session = await json("api/sessions/" + id);
    showAttachments(session.files);
    setStatus("");
  } catch (e) {
    addError("Upload failed: " + e.message);
    setStatus("");
  }
  await refreshSessions();
}

// ---------- Runs ----------
function setStatus(text) { $("status").textContent = text; }

function setRunning(running) {
  state.running = running;
  $("send").hidden = running;
  $("stop").hidden = !running;
  $("message").disabled = running;
  setStatus(running ? "Running…" : "");
}

async function send(text) {
  const id = await ensureSession();
  addUser(text);
  setRunning(true);
  const tools = [...document.querySelectorAll("#tools input:checked")].map((b) => b.value);
  let assistant = null;
  let reasoning = null;
  const cards = new Map();
  try {
    const response = await api("api/sessions/" + id + "/runs", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ message: text, agent: $("agent").value, tools }),
    });
    if (!response.ok) throw new Error((await response.json()).error.message);
    for await (const event of readEvents(response)) {
      switch (event.type) {
        case "REASONING_MESSAGE_CONTENT":
          if (!reasoning) reasoning = addReasoning(true);
          reasoning.text.textContent += event.delta;
          break;
        case "TEXT_MESSAGE_START":
          if (reasoning) reasoning.details.open = false;
          reasoning = null;
          assistant = addAssistant();
          break;
        case "TEXT_MESSAGE_CONTENT":
          if (!assistant) assistant = addAssistant();
          assistant.text += event.delta;
          renderMarkdown(assistant.bubble, assistant.text);
          break;
        case "TEXT_MESSAGE_END":
          assistant = null;
          break;
        case "TOOL_CALL_START":
          if (reasoning) reasoning.details.open = false;
          reasoning = null;
          cards.set(event.toolCallId, { card: null, name: event.toolCallName, args: "" });
          break;
        case "TOOL_CALL_ARGS":
          cards.get(event.toolCallId).args += event.delta;
          break;
        case "TOOL_CALL_END": {
          const call = cards.get(event.toolCallId);
          call.card = addToolCard(call.name, call.args);
          break;
        }
        case "TOOL_CALL_RESULT": {
          const call = cards.get(event.toolCallId);
          if (call && call.card) finishToolCard(call.card, event.content, event.images || []);
          break;
        }
        case "RUN_ERROR":
          addError(event.code === "cancelled" ? "Stopped." : "Error: " + event.message);
          break;
      }
      scrollDown();
    }
  } catch (e) {
    addError("Error: " + e.message);
  } finally {
    for (const call of cards.values()) {
      if (call.card && call.card.classList.contains("running")) {
        call.card.classList.replace("running", "done");
        call.card.querySelector(".state").textContent = "not run";
      }
    }
    setRunning(false);
    refreshSessions();
  }
}

async function* readEvents(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
      if (data) yield JSON.parse(data);
    }
  }
}

async function stop() {
  if (state.session) await api("api/sessions/" + state.session + "/stop", { method: "POST" });
}

// ---------- Start ----------
async function start() {
  const catalog = await json("api/agents");
  for (const a of catalog.agents) {
    const option = $("agent").appendChild(el("option", null, a.name));
    option.value = a.name;
    option.title = a.description;
  }
  for (const t of catalog.tools) {
    const label = $("tools").appendChild(el("label"));
    label.title = t.description;
    const box = label.appendChild(el("input"));
    box.type = "checkbox";
    box.value = t.name;
    box.checked = true;
    label.append(" " + t.name);
  }
  $("composer").addEventListener("submit", (e) => {
    e.preventDefault();
    const text = $("message").value.trim();
    if (!text || state.running) return;
    $("message").value = "";
    send(text);
  });
  $("message").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("composer").requestSubmit(); }
  });
  $("stop").addEventListener("click", stop);
  $("new-chat").addEventListener("click", newChat);
  $("file").addEventListener("change", async (e) => { await upload([...e.target.files]); e.target.value = ""; });
  $("toggle-sidebar").addEventListener("click", () => document.body.classList.toggle("sidebar-open"));
  await refreshSessions();
  document.body.dataset.ready = "true";
}

start().catch((e) => addError("The UI could not start: " + e.message));
