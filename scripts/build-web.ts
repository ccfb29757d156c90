// Builds the browser page: src/web/main.ts bundled by esbuild into web/dist/app.js (onnxruntime-web's WASM and
// WebGPU builds as lazily loaded chunks), beside index.html, onnxruntime-web's .mjs/.wasm runtime files and the
// tiny model, so web/dist is a self-contained static site, and a service worker that caches all of it (offline
// once loaded). `buildWeb()` is also what the browser tests call.
import { build } from "esbuild";
import { copyFileSync, cpSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const WEB_DIST = join(ROOT, "web", "dist");
const ORT_DIST = join(ROOT, "node_modules", "onnxruntime-web", "dist");
/** The loaders and binaries ort.wasm.min.mjs and ort.webgpu.min.mjs fetch at run time. */
const ORT_FILES = ["ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm", "ort-wasm-simd-threaded.asyncify.mjs", "ort-wasm-simd-threaded.asyncify.wasm"];
const MODEL = "models/hourllava-tiny";
const MODEL_FILES = ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"];

export async function buildWeb(out = WEB_DIST): Promise<string> {
  rmSync(out, { recursive: true, force: true });
  await build({
    entryPoints: { app: join(ROOT, "src/web/main.ts") },
    outdir: out,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    // The "extern wasm" builds load ORT's .mjs from wasmPaths, so WASM threads' workers start from ORT's own file.
    conditions: ["onnxruntime-web-use-extern-wasm"],
    sourcemap: true,
    logLevel: "warning",
  });
  copyFileSync(join(ROOT, "web/index.html"), join(out, "index.html"));
  for (const f of ORT_FILES) copyFileSync(join(ORT_DIST, f), join(out, f));
  mkdirSync(join(out, MODEL), { recursive: true });
  for (const f of MODEL_FILES) cpSync(join(ROOT, MODEL, f), join(out, MODEL, f));
  const files = ["./", ...listFiles(out).filter((f) => !f.endsWith(".map"))];
  const sw = readFileSync(join(ROOT, "web/sw.js"), "utf8")
    .replace("self.__HOURLLAVA_FILES__", JSON.stringify(files))
    .replace("self.__HOURLLAVA_BUILD__", JSON.stringify(Date.now().toString(36)));
  writeFileSync(join(out, "sw.js"), sw);
  return out;
}

function listFiles(dir: string, root = dir): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? listFiles(p, root) : [relative(root, p)];
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(`built ${await buildWeb()}`);
}
