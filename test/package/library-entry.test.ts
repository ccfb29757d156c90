// A lean library entry: `import { HourLlavaApp } from "hourllava"` reaches the model, app and I/O only. The
// server, the queue and the CLI (fastify, bullmq, ioredis, openai, commander) are subpath exports of their own.
// Checked on the static import graph of the sources, which is what the compiled dist/ imports.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const HEAVY = ["fastify", "@fastify/multipart", "bullmq", "ioredis", "openai", "commander", "playwright-core"];

/** Every package a source file reaches through static imports and re-exports (type-only imports excluded). */
function packagesReached(entry: string): { packages: Set<string>; files: number; via: Map<string, string> } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const via = new Map<string, string>();
  const stack = [resolve(entry)];
  while (stack.length) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    const src = readFileSync(f, "utf8");
    for (const m of src.matchAll(/^\s*(?:import|export)\s+(?!type\b)(?:[^'";]*?\sfrom\s+)?["']([^"']+)["']/gm)) {
      const spec = m[1];
      if (spec.startsWith(".")) {
        const p = resolve(dirname(f), spec);
        if (existsSync(p)) stack.push(p);
      } else if (!spec.startsWith("node:")) {
        const pkg = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
        packages.add(pkg);
        if (!via.has(pkg)) via.set(pkg, f);
      }
    }
  }
  return { packages, files: seen.size, via };
}

test("the library entry imports no server, queue or CLI package", () => {
  const { packages, via } = packagesReached(join("src", "index.ts"));
  for (const p of HEAVY) assert.ok(!packages.has(p), `src/index.ts reaches ${p} (through ${via.get(p)})`);
  assert.ok(packages.has("onnxruntime-node") || packages.has("onnxruntime-common"), [...packages].join(", "));
});

test("the server and the CLI are subpath exports of the package", () => {
  const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { exports: Record<string, { default: string; types: string }> };
  assert.equal(pkg.exports["./serve"]?.default, "./dist/serve/index.js");
  assert.equal(pkg.exports["./cli"]?.default, "./dist/cli/main.js");
  assert.ok(existsSync("src/serve/index.ts"));
  assert.ok(packagesReached("src/serve/index.ts").packages.has("fastify"));
});
