// The page's whole logic, a plain ES module (no build step): pick or upload a video, encode its memory with
// progress, scrub its frames, ask with streamed answers and their timings, and manage cached memories. Where the
// server allows live sources (GET /v1/config), start a stream, watch its timeline grow (GET /v1/streams/{id} every
// second) and ask about it while it grows: each answer says up to which second of stream it saw.
const $ = (id) => document.getElementById(id);
const state = { model: "", video: "", info: null, turns: [], thumbs: new Map(), liveKinds: [], poll: 0 };
const isStream = (id) => id.startsWith("stream-");

const keyInput = $("api-key");
keyInput.value = sessionStorage.getItem("hourllava-key") ?? "";
const authHeaders = () => (keyInput.value ? { authorization: `Bearer ${keyInput.value}` } : {});
const status = (text) => ($("status").textContent = text);
const fmtTime = (s) => `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, "0")}`;
const mib = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;

/** fetch with the key; a non-2xx answer throws the server's OpenAI-style error message. */
async function api(path, init = {}) {
  const res = await fetch(path, { ...init, headers: { ...authHeaders(), ...(init.headers ?? {}) } });
  if (!res.ok) {
    const body = await res.json().catch(() => null);
    throw new Error(body?.error?.message ?? `${res.status} ${res.statusText}`);
  }
  return res;
}

/** Server-sent events of a fetch response: { event, data } with data parsed when it is JSON. */
async function* sseEvents(res) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += decoder.decode(value, { stream: true });
    let end;
    while ((end = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      let event = "message";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("data: ")) data += line.slice(6);
      }
      yield { event, data: data === "[DONE]" ? data : JSON.parse(data) };
    }
  }
}

async function thumb(t, w) {
  const k = `${state.video}|${t}|${w}`;
  if (!state.thumbs.has(k)) {
    const p = api(`/v1/videos/${state.video}/thumbnail?t=${t}&w=${w}`).then(async (r) => URL.createObjectURL(await r.blob()));
    state.thumbs.set(k, p);
  }
  return state.thumbs.get(k);
}

async function loadVideos(select) {
  const { data } = await (await api("/v1/videos")).json();
  const streams = state.liveKinds.length ? (await (await api("/v1/streams")).json()).data : [];
  const sel = $("video-select");
  sel.replaceChildren(
    new Option("— choose a video —", ""),
    ...streams.map((s) => new Option(`${s.source} (live)`, s.id)),
    ...data.map((v) => new Option(`${v.name} (${v.source === "upload" ? "uploaded" : "folder"})`, v.id)),
  );
  if (select) {
    sel.value = select;
    await selectVideo(select);
  }
}

async function selectVideo(id) {
  state.video = id;
  state.turns = [];
  clearInterval(state.poll);
  $("messages").replaceChildren();
  $("timeline").replaceChildren();
  $("video-info").textContent = "";
  $("file-view").hidden = isStream(id);
  $("live-view").hidden = !isStream(id);
  if (!id) return;
  if (isStream(id)) return watchStream(id);
  status("reading the video…");
  const info = await (await api(`/v1/videos/${id}`)).json();
  state.info = info;
  $("video-info").textContent =
    `${info.duration_s.toFixed(1)} s, ${info.width}×${info.height}, ${info.frames} frames sampled; memory ${info.cached ? "cached" : "not encoded yet (the first question encodes it)"}`;
  buildTimeline(info.duration_s);
  status("");
}

function buildTimeline(duration) {
  const every = Math.max(1, Math.ceil(duration / 24)); // at most ~24 thumbnails, one per `every` seconds
  const items = [];
  for (let t = 0; t < duration; t += every) {
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.t = String(t);
    b.setAttribute("role", "listitem");
    b.setAttribute("aria-label", `frame at ${fmtTime(t)}`);
    const fig = document.createElement("figure");
    fig.style.margin = "0";
    const img = document.createElement("img");
    img.alt = "";
    thumb(t, 64).then(
      (u) => (img.src = u),
      () => {},
    );
    const cap = document.createElement("figcaption");
    cap.textContent = fmtTime(t);
    fig.append(img, cap);
    b.append(fig);
    b.addEventListener("click", () => scrubTo(t));
    items.push(b);
  }
  $("timeline").replaceChildren(...items);
  $("scrub").max = String(Math.max(0, Math.floor(duration - 0.01)));
  scrubTo(0);
}

let scrubTimer;
function scrubTo(t) {
  $("scrub").value = String(t);
  $("scrub-time").textContent = fmtTime(t);
  for (const b of $("timeline").children) b.setAttribute("aria-current", String(Math.abs(Number(b.dataset.t) - t) < 0.5));
  clearTimeout(scrubTimer);
  scrubTimer = setTimeout(
    () =>
      thumb(t, 320).then(
        (u) => ($("preview").src = u),
        () => {},
      ),
    120,
  ); // debounced while dragging
}
$("scrub").addEventListener("input", (e) => scrubTo(Number(e.target.value)));

async function loadMemories() {
  const { data } = await (await api("/v1/memories")).json();
  $("memories").tBodies[0].replaceChildren(
    ...data.map((m) => {
      const tr = document.createElement("tr");
      for (const text of [m.video_name, `${m.duration_s.toFixed(0)} s`, mib(m.bytes)]) {
        const td = document.createElement("td");
        td.textContent = text;
        tr.append(td);
      }
      const del = document.createElement("button");
      del.type = "button";
      del.textContent = "Delete";
      del.setAttribute("aria-label", `delete the memory of ${m.video_name}`);
      del.addEventListener("click", async () => {
        await api(`/v1/memories/${m.key}`, { method: "DELETE" }).catch((e) => status(e.message));
        await loadMemories();
        if (state.video) await selectVideo(state.video);
      });
      const td = document.createElement("td");
      td.append(del);
      tr.append(td);
      return tr;
    }),
  );
}

$("upload-input").addEventListener("change", (e) => {
  const file = e.target.files[0];
  if (!file) return;
  const bar = $("upload-progress");
  bar.hidden = false;
  const form = new FormData();
  form.append("purpose", "user_data");
  form.append("file", file);
  const xhr = new XMLHttpRequest(); // fetch has no upload progress
  xhr.open("POST", "/v1/files");
  for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
  xhr.upload.onprogress = (p) => p.lengthComputable && (bar.value = p.loaded / p.total);
  xhr.onload = async () => {
    bar.hidden = true;
    const body = JSON.parse(xhr.responseText || "{}");
    if (xhr.status !== 200) return status(`upload failed: ${body.error?.message ?? xhr.status}`);
    await loadVideos(body.id).catch((e) => status(e.message));
    status(`uploaded ${body.filename}`);
  };
  xhr.onerror = () => status("upload failed: the connection broke");
  status(`uploading ${file.name}…`);
  xhr.send(form);
});

$("encode-button").addEventListener("click", async () => {
  if (!state.video) return status("pick a video first");
  const bar = $("encode-progress");
  bar.hidden = false;
  try {
    for await (const { event, data } of sseEvents(await api(`/v1/videos/${state.video}/encode`, { method: "POST" }))) {
      if (event === "progress") {
        bar.value = data.done / data.total;
        status(`encoding: ${data.done}/${data.total} frames`);
      } else if (event === "error") throw new Error(data.error.message);
    }
    await selectVideo(state.video);
    await loadMemories();
    status("memory encoded");
  } catch (e) {
    status(`encode failed: ${e.message}`);
  } finally {
    bar.hidden = true;
  }
});

// A live stream: its bar grows with the seconds covered, polled every second until it has finished.
const LIVE_SCALES = [30, 60, 120, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400];

function showStream(s) {
  const covered = s.seconds_covered;
  const scale = LIVE_SCALES.find((x) => x >= covered) ?? Math.ceil(covered);
  const bar = $("live-bar");
  bar.dataset.state = s.state;
  bar.setAttribute("aria-valuemax", String(scale));
  bar.setAttribute("aria-valuenow", String(covered));
  bar.setAttribute("aria-valuetext", `${fmtTime(covered)} of stream covered`);
  $("live-fill").style.width = `${Math.min(100, (100 * covered) / scale)}%`;
  $("live-scale").textContent = fmtTime(scale);
  const parts = [s.state, `${fmtTime(covered)} covered`, `lag ${s.lag_s.toFixed(1)} s`, `${s.behind_live_s.toFixed(1)} s behind live`, `${s.frames} frames`];
  if (s.gaps.length) parts.push(`${s.gaps.length} gap${s.gaps.length > 1 ? "s" : ""}`);
  if (s.evicted) parts.push(`${s.evicted} oldest frames evicted`);
  $("live-status").textContent = parts.join(" · ") + (s.error ? `: ${s.error}` : "");
  $("video-info").textContent =
    `${s.source} (${s.kind})` +
    (s.stream ? `, ${s.stream.width}×${s.stream.height} at ${s.stream.fps} fps` : "") +
    `; recording ${s.video_fps} frame/s of stream`;
}

async function watchStream(id) {
  const tick = async () => {
    try {
      const s = await (await api(`/v1/streams/${id}`)).json();
      if (state.video !== id) return;
      showStream(s);
      if (["ended", "failed", "stopped"].includes(s.state)) clearInterval(state.poll);
    } catch (e) {
      clearInterval(state.poll);
      status(e.message);
    }
  };
  await tick();
  clearInterval(state.poll);
  state.poll = setInterval(tick, 1000);
}

$("live-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const source = $("live-source").value.trim();
  if (!source) return;
  $("live-start").disabled = true;
  status(`starting ${source}…`);
  try {
    const s = await (await api("/v1/streams", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ source }) })).json();
    await loadVideos(s.id);
    status(`recording ${source}`);
  } catch (err) {
    status(`the stream did not start: ${err.message}`);
  } finally {
    $("live-start").disabled = false;
  }
});

$("live-stop").addEventListener("click", async () => {
  if (!isStream(state.video)) return;
  clearInterval(state.poll);
  try {
    const s = await (await api(`/v1/streams/${state.video}`, { method: "DELETE" })).json();
    await loadVideos();
    await selectVideo("");
    status(`stopped ${s.source}: ${fmtTime(s.seconds_recorded)} of stream recorded`);
  } catch (err) {
    status(err.message);
  }
});

function addMessage(role, text) {
  const li = document.createElement("li");
  li.className = role;
  const body = document.createElement("span");
  body.className = "text";
  body.textContent = text;
  li.append(body);
  $("messages").append(li);
  return li;
}

$("ask-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const q = $("question").value.trim();
  if (!state.video) return status("pick a video first");
  if (!q) return;
  $("question").value = "";
  $("ask-button").disabled = true;
  addMessage("user", q);
  const li = addMessage("assistant", "");
  li.setAttribute("aria-busy", "true");
  const text = li.querySelector(".text");
  const seen = (live) => {
    let label = li.querySelector(".seen");
    if (!label) {
      label = document.createElement("small");
      label.className = "seen";
      li.prepend(label);
    }
    label.textContent = `seen up to ${fmtTime(live.seen_s)} · lag ${live.lag_s.toFixed(1)} s`;
  };
  const first = state.turns.length === 0;
  const content = first
    ? [
        { type: "video_url", video_url: { url: state.video } },
        { type: "text", text: q },
      ]
    : q;
  const messages = [...state.turns, { role: "user", content }];
  const body = {
    model: state.model,
    messages,
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: Number($("max-tokens").value),
    temperature: Number($("temperature").value),
    seed: Number($("seed").value),
  };
  const t0 = performance.now();
  let tFirst = 0;
  let timings = null;
  let usage = null;
  status("waiting for the model…");
  try {
    const res = await api("/v1/chat/completions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    for await (const { data } of sseEvents(res)) {
      if (data === "[DONE]") break;
      if (data.error) throw new Error(data.error.message);
      if (data.live) seen(data.live);
      const piece = data.choices[0]?.delta?.content;
      if (piece) {
        tFirst ||= performance.now();
        text.textContent += piece;
      }
      timings = data.timings ?? timings;
      usage = data.usage ?? usage;
    }
    const total = (performance.now() - t0) / 1000;
    const ttft = ((tFirst || performance.now()) - t0) / 1000;
    const n = usage?.completion_tokens ?? 0;
    const rate = n > 1 && tFirst ? ((n - 1) / ((performance.now() - tFirst) / 1000)).toFixed(1) : "–";
    const t = document.createElement("small");
    t.className = "timings";
    t.textContent =
      `first token ${ttft.toFixed(2)} s · ${n} token${n === 1 ? "" : "s"} in ${total.toFixed(2)} s · ${rate} tokens/s` +
      (timings ? ` · MemAug ${timings.memaug_s.toFixed(2)} s, prefill ${timings.prefill_s.toFixed(2)} s` : "");
    li.append(t);
    state.turns.push({ role: "user", content }, { role: "assistant", content: text.textContent });
    status("");
    loadMemories().catch(() => {});
  } catch (err) {
    li.className = "error";
    text.textContent = err.message;
    status("");
  } finally {
    li.removeAttribute("aria-busy");
    $("ask-button").disabled = false;
  }
});

$("new-chat").addEventListener("click", () => {
  state.turns = [];
  $("messages").replaceChildren();
});
$("video-select").addEventListener("change", (e) => selectVideo(e.target.value).catch((err) => status(err.message)));
keyInput.addEventListener("change", () => {
  sessionStorage.setItem("hourllava-key", keyInput.value);
  start();
});

async function start() {
  const health = await (await fetch("/health")).json();
  state.model = health.model;
  $("model").textContent = `model ${health.model}`;
  try {
    const config = await (await api("/v1/config")).json();
    state.liveKinds = config.live_sources;
    $("live-form").hidden = state.liveKinds.length === 0;
    $("live-hint").textContent =
      `this server records ${state.liveKinds.join(", ")} sources${state.liveKinds.includes("file") ? " (files: a path under its video folder)" : ""}`;
    await loadVideos();
    await loadMemories();
    status("");
  } catch (e) {
    status(e.message);
  }
}
start();
