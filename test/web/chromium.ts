// Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core, with a fresh profile per launch and
// nothing that reaches beyond loopback. Suites skip with one line where chromium is absent, unless
// HOURLLAVA_REQUIRE_CHROMIUM=1 (CI) makes that a failure.
import { chromium } from "playwright-core";
import type { BrowserContext } from "playwright-core";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { missingProgram } from "../helpers/needs.ts";

export const CHROMIUM = "/usr/bin/chromium";

/** undefined when chromium runs here; otherwise why the suite skips. */
export function chromiumMissing(): string | undefined {
  return missingProgram(CHROMIUM, "apt-get install -y chromium", "HOURLLAVA_REQUIRE_CHROMIUM");
}

export interface Chromium {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Chromium's WebGPU on SwiftShader, its bundled CPU Vulkan: a real WebGPU adapter on a machine without a GPU. */
const WEBGPU_ARGS = ["--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader", "--enable-features=Vulkan"];

/** A persistent context on a fresh profile dir (IndexedDB survives reloads within it); `webgpu` exposes
 * navigator.gpu on SwiftShader instead of disabling the GPU process. */
export async function launchChromium(opts: { webgpu?: boolean } = {}): Promise<Chromium> {
  const profile = mkdtempSync(join(tmpdir(), "hourllava-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      ...(opts.webgpu ? WEBGPU_ARGS : ["--disable-gpu"]),
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
