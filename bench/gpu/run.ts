// The GPU check for the first machine that has one: the official-shape 3B folder (random weights, bf16, the Hub's
// names) asked one question about a 130-second video on the GPU and on the CPU, each in its own process
// (bench/scale/ask.ts), with frames/s, MemAug and prefill time, decode tokens/s, peak RSS and, where nvidia-smi
// exists, peak GPU memory sampled while it runs. Prints one JSON object.
// Needs: Node 20; for CUDA, onnxruntime-node's CUDA provider (ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild
// onnxruntime-node; CUDA 12 + cuDNN 9); for WebGPU, a Vulkan driver and libvulkan1 (HOURLLAVA_VK_ICD=swiftshader
// runs it on the CPU, slowly, to check the script itself). The folder is ~7 GB; --max-frames 32 keeps MemAug's
// and the LLM's work as for all 130 frames (the memory is repeated to 128 frames either way).
// Usage: node --import tsx bench/gpu/run.ts [--dir /tmp/hourllava-scale] [--size 3b] [--device auto|webgpu|cuda]
//        [--quant q4|q8] [--compute-dtype f16|f32] [--max-frames 32] [--tokens 16] [--no-cpu] [--model DIR]
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { pickDevice } from "../../src/graph/runtime.ts";
import { makeOfficialFolder, makeTestVideo } from "../scale/make-folder.ts";

const arg = (k: string, d: string) => {
  const i = process.argv.indexOf(`--${k}`);
  return i >= 0 ? process.argv[i + 1] : d;
};
const dir = arg("dir", "/tmp/hourllava-scale");
const size = arg("size", "3b") as "3b" | "7b";
const wanted = arg("device", "auto");
const quant = arg("quant", "");
const computeDtype = arg("compute-dtype", "f16");
const maxFrames = arg("max-frames", "32");
const tokens = arg("tokens", "16");

const hasNvidiaSmi = !spawnSync("nvidia-smi", ["-L"], { stdio: "ignore" }).error;

/** GPU memory in use (MiB, summed over GPUs) per nvidia-smi; undefined without it. */
function gpuMemoryMiB(): number | undefined {
  if (!hasNvidiaSmi) return undefined;
  const r = spawnSync("nvidia-smi", ["--query-gpu=memory.used", "--format=csv,noheader,nounits"], { encoding: "utf8" });
  return r.status === 0
    ? r.stdout
        .trim()
        .split("\n")
        .reduce((s, l) => s + Number(l), 0)
    : undefined;
}

/** One bench/scale/ask.ts run on a device, with GPU memory sampled every 250 ms while it runs. */
function measure(device: string, dtype: string, model: string, video: string): Promise<Record<string, unknown>> {
  const args = ["--import", "tsx", join(import.meta.dirname, "../scale/ask.ts"), "--model", model, "--video", video];
  args.push("--device", device, "--compute-dtype", dtype, "--max-frames", maxFrames, "--tokens", tokens);
  if (quant) args.push("--quant", quant);
  const before = gpuMemoryMiB();
  let peak = before;
  const timer = setInterval(() => {
    const m = gpuMemoryMiB();
    if (m !== undefined) peak = Math.max(peak ?? 0, m);
  }, 250);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => {
      clearInterval(timer);
      const gpu = { gpu_memory_peak_mib: peak !== undefined && before !== undefined ? peak - before : null };
      if (code !== 0 || !out.trim()) resolve({ device, failed: err.trim().split("\n").slice(-3).join(" | "), ...gpu });
      else resolve({ ...JSON.parse(out), ...gpu });
    });
  });
}

const device = wanted === "auto" ? await pickDevice() : wanted;
if (device === "cpu") {
  process.stderr.write("no GPU provider runs here (--device auto found neither CUDA nor a WebGPU adapter); see the header for what it needs\n");
  process.exit(2);
}
// --model DIR checks the script on a small folder (e.g. models/hourllava-tiny on SwiftShader) instead.
const model = arg("model", join(dir, `hl-${size}`));
if (!process.argv.includes("--model")) makeOfficialFolder(size, model);
const video = makeTestVideo(join(dir, "v130.mp4"));
const gpu = await measure(device, computeDtype, model, video);
const cpu = process.argv.includes("--no-cpu") ? null : await measure("cpu", "f32", model, video);
/** GPU over CPU: `a/b` of a field both runs have (times: cpu/gpu; rates: gpu/cpu). */
const ratio = (a: Record<string, unknown> | null, b: Record<string, unknown> | null, k: string) =>
  a && b && typeof a[k] === "number" && typeof b[k] === "number" ? (a[k] as number) / (b[k] as number) : null;
process.stdout.write(
  JSON.stringify({
    size: process.argv.includes("--model") ? null : size,
    model,
    device,
    nvidia_smi: hasNvidiaSmi,
    gpu,
    cpu,
    speedup: {
      encode: ratio(cpu, gpu, "encode_s"),
      memaug: ratio(cpu, gpu, "memaug_s"),
      prefill: ratio(gpu, cpu, "prefill_tok_per_s"),
      decode: ratio(gpu, cpu, "decode_tok_per_s"),
    },
  }) + "\n",
);
