// The published package, as another project gets it: `npm pack`, install the tarball into a fresh project
// offline (`npm ci --offline`, dependencies from the local npm cache), then one ask through the API (with its types checked) and one
// through the bin. Slow (a build and an install), so it is the only test of its kind.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { tempDir } from "../io/tmp.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");
const QUESTION = "How many times did the scene change?";

function run(cmd: string, args: string[], cwd: string) {
  // ONNXRUNTIME_NODE_INSTALL: npm 10 would otherwise run onnxruntime-node's CUDA download (no network here).
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: "skip" }, maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, `${cmd} ${args.join(" ")} failed:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/**
 * The cache holds our locked dependencies' tarballs but no registry metadata, so an offline install needs exact
 * versions: the consumer's lockfile is ours without the development-only entries, plus the tarball itself.
 */
function consumerLock(dep: string, tarballPath: string) {
  const ours = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8"));
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  const packages: Record<string, unknown> = { "": { name: "consumer", dependencies: { hourllava: dep } } };
  for (const [path, entry] of Object.entries<{ dev?: boolean }>(ours.packages)) if (path !== "" && !entry.dev) packages[path] = entry;
  packages["node_modules/hourllava"] = {
    version: pkg.version,
    resolved: dep,
    integrity: `sha512-${createHash("sha512").update(readFileSync(tarballPath)).digest("base64")}`,
    dependencies: pkg.dependencies,
    bin: pkg.bin,
    engines: pkg.engines,
  };
  return { name: "consumer", lockfileVersion: 3, requires: true, packages };
}

test("npm pack → offline install in another project → ask through the API (typed) and the bin", { timeout: 600_000 }, () => {
  const dir = tempDir("hl-pack-");
  run("npm", ["pack", "--silent", "--pack-destination", dir], ROOT);
  const tarball = readdirSync(dir).find((f) => f.endsWith(".tgz"))!;
  const files = run("tar", ["tzf", join(dir, tarball)], dir)
    .trim()
    .split("\n");
  // Only what users need: compiled code, the bin, the tiny model and the sample; no sources or test fixtures.
  assert.ok(files.includes("package/dist/index.js") && files.includes("package/dist/index.d.ts"));
  assert.ok(files.includes("package/models/hourllava-tiny/model.safetensors") && files.includes("package/samples/demo.mp4"));
  assert.deepEqual(
    files.filter((f) => /^package\/(src|test|tools|bench|scripts)\//.test(f)),
    [],
  );

  const app = join(dir, "app");
  mkdirSync(app);
  const dep = `file:../${tarball}`;
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module", dependencies: { hourllava: dep } }));
  writeFileSync(join(app, "package-lock.json"), JSON.stringify(consumerLock(dep, join(dir, tarball))));
  run("npm", ["ci", "--offline", "--no-audit", "--no-fund"], app);

  writeFileSync(
    join(app, "ask.ts"),
    `import { HourLlavaApp } from "hourllava";
import type { Answer } from "hourllava";
const hl = await HourLlavaApp.load(undefined, { quiet: true, noCache: true });
const mem = await hl.remember("node_modules/hourllava/samples/demo.mp4");
const it = hl.ask(mem, ${JSON.stringify(QUESTION)}, { maxNewTokens: 3 });
let r = await it.next();
while (!r.done) r = await it.next();
const a: Answer = r.value;
console.log(JSON.stringify({ answer: a.text, tokens: a.timings.tokens, frames: mem.frames }));
`,
  );
  writeFileSync(
    join(app, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", strict: true, skipLibCheck: false, types: [], outDir: "out" },
    }),
  );
  // The consumer compiles against the package's declarations, then runs the emitted JavaScript with plain Node.
  run(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], app);
  const api = JSON.parse(run(process.execPath, ["out/ask.js"], app));
  assert.equal(api.frames, 150);
  assert.ok(api.tokens >= 1 && api.tokens <= 3);

  const bin = JSON.parse(
    run(
      join(app, "node_modules/.bin/hourllava"),
      ["ask", "node_modules/hourllava/samples/demo.mp4", QUESTION, "--json", "--max-tokens", "3", "--no-cache"],
      app,
    ),
  );
  assert.deepEqual([bin.answer, bin.frames], [api.answer, api.frames]); // greedy, seed 0: both doors give one answer
});
