// What the Node edge needs before a GPU provider runs, and what to tell a user when one cannot.
// - WebGPU: onnxruntime-node's provider is Dawn on Vulkan. Dawn opens the system's Vulkan loader (libvulkan.so.1)
//   and the drivers (ICD files) the loader finds. A machine without a GPU can still run it on SwiftShader, the
//   CPU Vulkan that Debian's chromium ships: HOURLLAVA_VK_ICD names an ICD file, or "swiftshader" for chromium's.
//   The loader reads VK_ICD_FILENAMES when ORT first creates its WebGPU context, so setting it in this process
//   before the first WebGPU session is enough (LD_LIBRARY_PATH would not be: it is read at process start).
// - CUDA: its provider library is not in the npm tarball; onnxruntime-node's install script fetches it on request.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { CodedError } from "../util/coded-error.ts";
import type { Device } from "./runtime-core.ts";

/** Where chromium builds keep SwiftShader's ICD file (Debian, Fedora, Ubuntu's old package, Google Chrome). */
export const SWIFTSHADER_DIRS = ["/usr/lib/chromium", "/usr/lib64/chromium", "/usr/lib/chromium-browser", "/opt/google/chrome"];
const SWIFTSHADER_ICD = "vk_swiftshader_icd.json";
/** The Vulkan loader's own search folders for ICD files (Linux). */
const SYSTEM_ICD_DIRS = ["/usr/share/vulkan/icd.d", "/etc/vulkan/icd.d", "/usr/local/share/vulkan/icd.d"];
const LOADER_DIRS = [
  "/lib/x86_64-linux-gnu",
  "/usr/lib/x86_64-linux-gnu",
  "/lib64",
  "/usr/lib64",
  "/usr/lib",
  "/lib/aarch64-linux-gnu",
  "/usr/lib/aarch64-linux-gnu",
];

export function swiftShaderIcd(dirs = SWIFTSHADER_DIRS): string | undefined {
  return dirs.map((d) => join(d, SWIFTSHADER_ICD)).find((f) => existsSync(f));
}

/** HOURLLAVA_VK_ICD's file: a path to an ICD json, or "swiftshader" for chromium's. */
export function resolveIcd(spec: string, dirs = SWIFTSHADER_DIRS): string {
  if (spec === "swiftshader") {
    const f = swiftShaderIcd(dirs);
    if (!f) throw new CodedError("no_gpu_adapter", `HOURLLAVA_VK_ICD=swiftshader: no ${SWIFTSHADER_ICD} in ${dirs.join(", ")} (apt-get install chromium)`);
    return f;
  }
  if (!existsSync(spec)) throw new CodedError("no_gpu_adapter", `HOURLLAVA_VK_ICD=${spec}: no such ICD file`);
  return spec;
}

/** Points the Vulkan loader at HOURLLAVA_VK_ICD's driver unless VK_ICD_FILENAMES already names one; returns the
 * ICD file in force (undefined: the loader's own search). */
export function useVulkanIcd(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const spec = env.HOURLLAVA_VK_ICD;
  if (spec && !env.VK_ICD_FILENAMES) env.VK_ICD_FILENAMES = resolveIcd(spec);
  return env.VK_ICD_FILENAMES || undefined;
}

const hasLoader = () => LOADER_DIRS.some((d) => existsSync(join(d, "libvulkan.so.1")));

/** What was looked for, for the error when WebGPU finds no adapter. */
export function noAdapterHelp(env: NodeJS.ProcessEnv = process.env): string {
  const looked = env.VK_ICD_FILENAMES
    ? `the Vulkan driver VK_ICD_FILENAMES names (${env.VK_ICD_FILENAMES})`
    : `the Vulkan drivers in ${SYSTEM_ICD_DIRS.join(", ")}`;
  const loader = hasLoader() ? "" : " The Vulkan loader libvulkan.so.1 is missing: apt-get install libvulkan1.";
  const swiftShader = swiftShaderIcd();
  const soft = swiftShader
    ? ` Without a GPU, HOURLLAVA_VK_ICD=swiftshader runs WebGPU on chromium's CPU Vulkan (${swiftShader}): right answers, slowly.`
    : " Without a GPU, install chromium and set HOURLLAVA_VK_ICD=swiftshader to run WebGPU on its CPU Vulkan (slowly).";
  return `WebGPU found no adapter: it looked for ${looked}.${loader}${soft}`;
}

/** onnxruntime-node's native folder, where the CUDA provider library lands when it was installed. */
function ortBinDir(): string {
  const pkg = createRequire(import.meta.url).resolve("onnxruntime-node/package.json");
  return join(dirname(pkg), "bin", "napi-v6", process.platform, process.arch);
}

export const hasCudaProvider = (): boolean => existsSync(join(ortBinDir(), "libonnxruntime_providers_cuda.so"));

export const CUDA_HELP =
  "onnxruntime-node was installed without its CUDA provider (not in the npm package; fetched at install on request): " +
  "ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node, on a machine with CUDA 12 and cuDNN 9";

/** A session error in words a GPU user acts on (undefined: leave it as ORT wrote it). */
export function explainSessionError(device: Device, e: unknown): Error | undefined {
  const msg = e instanceof Error ? e.message : String(e);
  if (device === "webgpu" && /No supported adapters|Failed to get a WebGPU adapter/.test(msg)) {
    return new CodedError("no_gpu_adapter", noAdapterHelp(), { cause: e });
  }
  if (device === "cuda" && /libonnxruntime_providers_cuda|libcudart|libcublas|libcudnn|CUDA/i.test(msg)) {
    return new CodedError("no_gpu_adapter", `CUDA could not start: ${msg.split("\n")[0]}. ${CUDA_HELP}`, { cause: e });
  }
  return undefined;
}
