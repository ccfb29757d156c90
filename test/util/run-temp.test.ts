// A run's temp folders go away on SIGINT (here: while a graph with external weights is being written for ORT),
// and folders of killed runs are removed at the next start; a live run's folder is left alone.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { cleanStaleRunTempDirs, releaseRunTempDir, runTempDir } from "../../src/util/run-temp.ts";

test("SIGINT while a large graph's ONNX copy sits in the temp folder removes it; the run dies of SIGINT", async () => {
  const root = mkdtempSync(join(tmpdir(), "hl-tmp-root-"));
  // The child loads a graph whose weights go to external data (threshold 0), and stops in ORT's session
  // creation via a hook that reports the folder and waits to be interrupted.
  const script = `
    import { Graph } from "${join(process.cwd(), "src/graph/graph.ts")}";
    import { Runtime } from "${join(process.cwd(), "src/graph/runtime.ts")}";
    import { readdirSync } from "node:fs";
    import { join } from "node:path";
    import { tmpdir } from "node:os";
    import * as ort from "onnxruntime-node";
    ort.InferenceSession.create = (async () => {
      const dir = readdirSync(tmpdir()).find((n) => n.startsWith("hourllava-onnx-"));
      console.log("loading " + join(tmpdir(), dir, "weights.bin"));
      await new Promise(() => setInterval(() => {}, 1000));
    });
    const g = new Graph();
    g.output("y", g.param("w", new Float32Array(1 << 16), [1 << 16]));
    await new Runtime({ externalDataAbove: 0 }).run(g, {});
  `;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { env: { ...process.env, TMPDIR: root } });
  let out = "";
  const loading = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (c) => {
      out += c;
      const m = /loading (.*)\n/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on("exit", () => reject(new Error(`child ended before loading: ${out}`)));
  });
  let stderr = "";
  child.stderr.on("data", (c) => (stderr += c));
  try {
    const model = await loading.catch((e) => assert.fail(`${e.message} ${stderr}`));
    assert.ok(existsSync(model), "the external weights exist while loading");
    assert.equal(readdirSync(root).filter((n) => n.startsWith("hourllava-onnx-")).length, 1);
    const ended = new Promise<NodeJS.Signals | null>((r) => child.on("exit", (_c, s) => r(s)));
    child.kill("SIGINT");
    assert.equal(await ended, "SIGINT");
    assert.deepEqual(
      readdirSync(root).filter((n) => n.startsWith("hourllava-")),
      [],
    );
  } finally {
    child.kill("SIGKILL");
    rmSync(root, { recursive: true, force: true });
  }
});

test("cleanStaleRunTempDirs removes folders of dead pids of this host and pid namespace only", () => {
  const root = mkdtempSync(join(tmpdir(), "hl-tmp-root-"));
  try {
    // The identity part of a folder name, as runTempDir writes it.
    const made = basename(runTempDir("probe"));
    releaseRunTempDir(join(tmpdir(), made));
    const id = /^hourllava-probe-\d+-([0-9a-f]{8}-\d*)-/.exec(made)![1];
    const dead = join(root, `hourllava-onnx-999999999-${id}-abcdef`); // no such pid, here
    const mine = join(root, `hourllava-onnx-${process.pid}-${id}-abcdef`);
    const other = join(root, "hourllava-notes-abc");
    for (const d of [dead, mine, other]) mkdirSync(d);
    writeFileSync(join(dead, "weights.bin"), "x");
    assert.deepEqual(cleanStaleRunTempDirs(root), [dead]);
    assert.deepEqual(readdirSync(root).sort(), ["hourllava-notes-abc", `hourllava-onnx-${process.pid}-${id}-abcdef`]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("data loss across containers: a folder of another pid namespace, host or an old name is never judged stale", () => {
  const root = mkdtempSync(join(tmpdir(), "hl-tmp-root-"));
  try {
    const made = basename(runTempDir("probe"));
    releaseRunTempDir(join(tmpdir(), made));
    const [, host, ns] = /^hourllava-probe-\d+-([0-9a-f]{8})-(\d*)-/.exec(made)!;
    const keep = [
      `hourllava-onnx-999999999-${host}-${ns}1-abcdef`, // another pid namespace: pid 999999999 may be alive there
      `hourllava-onnx-999999999-${host === "00000000" ? "11111111" : "00000000"}-${ns}-abcdef`, // another host
      "hourllava-onnx-999999999-abcdef", // the old name, without identity
    ];
    for (const d of keep) mkdirSync(join(root, d));
    assert.deepEqual(cleanStaleRunTempDirs(root), []);
    assert.deepEqual(readdirSync(root).sort(), [...keep].sort());
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
