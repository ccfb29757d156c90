// Suites that drive an outside program (redis-server, later chromium) skip on a newcomer's machine with one
// line saying what to install; CI sets HOURLLAVA_REQUIRE_<NAME>=1 so a missing program fails instead.
import { spawnSync } from "node:child_process";

/** undefined when `cmd` runs; otherwise the skip reason (or a throw when the require variable is set). */
export function missingProgram(cmd: string, install: string, requireVar: string): string | undefined {
  if (!spawnSync(cmd, ["--version"], { stdio: "ignore" }).error) return undefined;
  return skipUnlessRequired(`${cmd} is not installed: ${install} to run this suite`, requireVar);
}

/** The skip reason, or a throw when CI's require variable forbids skipping. */
export function skipUnlessRequired(reason: string, requireVar: string): string {
  if (process.env[requireVar] === "1") throw new Error(`${reason} (${requireVar}=1 forbids skipping)`);
  return reason;
}

/** Why a suite that runs `python -c "import …"` must skip (undefined: the modules import); `requireVar`=1 makes it fail. */
export function missingPythonModules(python: string, modules: string[], install: string, requireVar: string): string | undefined {
  if (spawnSync(python, ["-c", `import ${modules.join(", ")}`], { stdio: "ignore" }).status === 0) return undefined;
  return skipUnlessRequired(`${python} cannot import ${modules.join(", ")}: ${install} to run this test`, requireVar);
}

/** The Python that runs tools/train_torch and tools/parity, and why a test of it skips (undefined: it can run). */
export const TORCH_PYTHON = process.env.HOURLLAVA_TORCH_PYTHON ?? "/usr/bin/python3";
export const torchMissing = (): string | undefined =>
  missingPythonModules(
    TORCH_PYTHON,
    ["torch", "numpy"],
    "apt-get install -y python3-torch python3-numpy (or set HOURLLAVA_TORCH_PYTHON)",
    "HOURLLAVA_REQUIRE_TORCH",
  );

/** Why a WebGPU suite must skip (undefined: an adapter runs). Without a GPU it runs on chromium's SwiftShader
 * (HOURLLAVA_VK_ICD=swiftshader unless the caller chose a driver); HOURLLAVA_REQUIRE_WEBGPU=1 makes it fail. */
export async function webGpuMissing(): Promise<string | undefined> {
  if (!process.env.VK_ICD_FILENAMES) process.env.HOURLLAVA_VK_ICD ??= "swiftshader";
  const { deviceRuns } = await import("../../src/graph/runtime.ts");
  if (await deviceRuns("webgpu")) return undefined;
  const { noAdapterHelp } = await import("../../src/graph/gpu-setup.ts");
  return skipUnlessRequired(`${noAdapterHelp()} (apt-get install chromium libvulkan1 to run this suite)`, "HOURLLAVA_REQUIRE_WEBGPU");
}
