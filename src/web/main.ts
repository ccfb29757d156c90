// The page: loads the model (from this site, or a picked folder), remembers a picked video with encode progress,
// streams answers into the page. `window.hourllava` exposes the same steps to tests and benchmarks.
import type { Answer } from "../model/generate/answer.ts";
import type { Device } from "../graph/runtime-core.ts";
import { fetchModelFiles, pickedModelFiles } from "./model-files.ts";
import type { ModelFiles } from "./model-files.ts";
import { WebHourLlava } from "./web-app.ts";
import { mp4VideoInfo } from "../video/mp4-info.ts";
import { sampleOneFpsMin } from "../video/sampling.ts";
import { webCodecsFrames } from "./webcodecs-frames.ts";
import type { WebVideoMemory } from "./web-app.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const wasmBase = new URL("./", import.meta.url).href;

interface Events {
  /** Encode progress reports of this page's life (a cache hit reports none). */
  progress: [number, number][];
}

const state: { app?: WebHourLlava; mem?: WebVideoMemory; events: Events } = { events: { progress: [] } };

function show(id: string, text: string, error = false): void {
  const el = $(id);
  el.textContent = text;
  el.className = error ? "err" : "";
}

async function loadModel(files: Promise<ModelFiles>): Promise<WebHourLlava> {
  show("model-status", "loading the model…");
  const f = await files;
  const app = await WebHourLlava.load(f, { wasmBase, device: (params.get("device") as Device | null) ?? undefined });
  state.app = app;
  show("model-status", `${f.name}: ${app.model.config.num_hidden_layers}-layer LLM, hidden ${app.model.hidden}, on ${app.device}`);
  return app;
}

async function remember(file: Blob, name: string): Promise<WebVideoMemory> {
  const app = state.app ?? (await ready);
  const bar = $<HTMLProgressElement>("encode");
  show("video-status", `reading ${name}…`);
  const mem = await app.remember(file, name, {
    onProgress: (done, total) => {
      state.events.progress.push([done, total]);
      bar.max = total;
      bar.value = done;
      show("video-status", `encoding ${name}: ${done}/${total} frames`);
    },
  });
  bar.max = 1;
  bar.value = 1;
  const how = mem.cache.hit ? "memory reused from this browser's cache" : `encoded in ${mem.timings.totalS.toFixed(1)} s`;
  show("video-status", `${name}: ${mem.frames} frames over ${mem.durationS.toFixed(2)} s, ${how}`);
  return useMemory(mem);
}

function useMemory(mem: WebVideoMemory): WebVideoMemory {
  state.mem = mem;
  $<HTMLButtonElement>("ask").disabled = false;
  return mem;
}

async function ask(question: string, mem = state.mem): Promise<Answer> {
  if (!mem) throw new Error("pick a video first");
  const out = $("answer");
  out.textContent = "";
  const it = state.app!.ask(mem, question);
  for (;;) {
    const r = await it.next();
    if (r.done) return r.value;
    out.textContent += r.value;
  }
}

const modelBase = params.get("model") ?? "models/hourllava-tiny/";
let ready = loadModel(fetchModelFiles(new URL(modelBase, location.href).href));
ready.catch((e: Error) => show("model-status", `${e.message} — pick a model folder instead`, true));

$<HTMLInputElement>("model-files").addEventListener("change", (ev) => {
  const files = (ev.target as HTMLInputElement).files;
  if (!files?.length) return;
  ready = loadModel(pickedModelFiles(files));
  ready.catch((e: Error) => show("model-status", e.message, true));
});

$<HTMLInputElement>("video").addEventListener("change", (ev) => {
  const f = (ev.target as HTMLInputElement).files?.[0];
  if (f) remember(f, f.name).catch((e: Error) => show("video-status", e.message, true));
});

$<HTMLFormElement>("ask-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const q = $<HTMLInputElement>("question").value;
  $<HTMLButtonElement>("ask").disabled = true;
  ask(q)
    .catch((e: Error) => show("answer", e.message, true))
    .finally(() => ($<HTMLButtonElement>("ask").disabled = false));
});

// Offline once loaded: the service worker caches the site's files (not where it cannot run, e.g. file://).
const offline = "serviceWorker" in navigator ? navigator.serviceWorker.register("./sw.js").then(() => navigator.serviceWorker.ready) : undefined;
offline?.catch((e: Error) => console.warn(`no offline copy: ${e.message}`));

/** For tests and benchmarks (page.evaluate): the page's own steps. */
const api = {
  ready: () => ready.then(() => undefined),
  /** Resolves once the service worker holds the site's files. */
  offlineReady: async () => void (await offline),
  state,
  remember,
  ask,
  /** A memory from pre-decoded RGB frames (base64), to compare the model part with Node's exactly. */
  rememberRgb: async (b64: string, width: number, height: number, durationS: number) => {
    const rgb = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    return useMemory(await (await ready).rememberRgb(rgb, width, height, durationS));
  },
  /** Builds the question-time sessions now (benchmarks time questions without it). */
  warmUp: async () => (await ready).model.warmUp(),
  /** Where the model runs: ORT's device and its thread count. */
  runtime: () => ({ device: state.app!.device, threads: state.app!.model.runtime.threads }),
  /** The current memory's rows (f32 bytes, base64). */
  memoryRows: (): string => base64(state.mem!.memory.rows),
  /** The frames the page samples from a video at `url` as it decodes them (packed RGB, base64). */
  decodedFrames: async (url: string): Promise<string> => {
    const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
    const info = mp4VideoInfo(bytes, url);
    const parts: Uint8Array[] = [];
    for await (const f of webCodecsFrames(bytes, sampleOneFpsMin(info).indices, url)) parts.push(f.rgb);
    const all = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
    parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
    return base64(all);
  },
};

function base64(a: ArrayBufferView): string {
  const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
(globalThis as unknown as { hourllava: typeof api }).hourllava = api;
