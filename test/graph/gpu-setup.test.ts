// Errors a GPU user acts on, without a GPU: a missing WebGPU adapter names what was looked for, a bad
// HOURLLAVA_VK_ICD is refused, and ORT's real "no adapter" error (from a Vulkan driver that does not exist) is
// turned into the coded error, so an ORT upgrade that rewords it fails here instead of reaching users raw.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { explainSessionError, noAdapterHelp, resolveIcd, useVulkanIcd } from "../../src/graph/gpu-setup.ts";
import { parsePlacements, computeLeftOnCpu } from "../../src/graph/placement.ts";
import { CodedError } from "../../src/util/coded-error.ts";

const empty = mkdtempSync(join(tmpdir(), "hl-icd-"));
test.after(() => rmSync(empty, { recursive: true, force: true }));

test("HOURLLAVA_VK_ICD: swiftshader without chromium, and a missing file, are refused with what was looked for", () => {
  assert.throws(() => resolveIcd("swiftshader", [empty]), { code: "no_gpu_adapter", message: new RegExp(`no vk_swiftshader_icd.json in ${empty}`) });
  assert.throws(() => resolveIcd(join(empty, "x.json")), { code: "no_gpu_adapter", message: /HOURLLAVA_VK_ICD=.*x\.json: no such ICD file/ });
});

test("HOURLLAVA_VK_ICD sets the loader's VK_ICD_FILENAMES unless the user already set it", () => {
  const file = join(empty, "icd.json");
  spawnSync("touch", [file]);
  const env: NodeJS.ProcessEnv = { HOURLLAVA_VK_ICD: file };
  assert.equal(useVulkanIcd(env), file);
  assert.equal(env.VK_ICD_FILENAMES, file);
  const mine: NodeJS.ProcessEnv = { HOURLLAVA_VK_ICD: file, VK_ICD_FILENAMES: "/their/icd.json" };
  assert.equal(useVulkanIcd(mine), "/their/icd.json");
  assert.equal(useVulkanIcd({}), undefined);
});

test("ORT's no-adapter error becomes no_gpu_adapter naming the driver looked for; other errors pass through", () => {
  const ort = new Error("webgpu_context.cc:136 ... Failed to get a WebGPU adapter: No supported adapters");
  const e = explainSessionError("webgpu", ort);
  assert.ok(e instanceof CodedError);
  assert.equal(e.code, "no_gpu_adapter");
  assert.equal(e.cause, ort);
  assert.match(noAdapterHelp({ VK_ICD_FILENAMES: "/x/icd.json" }), /looked for the Vulkan driver VK_ICD_FILENAMES names \(\/x\/icd\.json\)/);
  assert.match(noAdapterHelp({}), /looked for the Vulkan drivers in \/usr\/share\/vulkan\/icd\.d/);
  assert.equal(explainSessionError("cpu", ort), undefined);
  assert.equal(explainSessionError("webgpu", new Error("Type mismatch")), undefined);
});

test("a WebGPU session on a Vulkan driver that does not exist fails with no_gpu_adapter (ORT's real error); auto picks the CPU", () => {
  const script = `
    import { Graph } from "./src/graph/graph.ts";
    import { mul } from "./src/graph/ops/elementwise.ts";
    import { Runtime, pickDevice } from "./src/graph/runtime.ts";
    console.log("auto:" + (await pickDevice()));
    const g = new Graph();
    g.output("y", mul(g.input("x", "float32", [2]), 3));
    try { await new Runtime({ device: "webgpu" }).compile(g); console.log("RAN"); }
    catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    env: { ...process.env, VK_ICD_FILENAMES: join(empty, "none.json"), HOURLLAVA_VK_ICD: "" },
    encoding: "utf8",
  });
  const lines = r.stdout.trim().split("\n");
  assert.ok(lines.includes("auto:cpu"), `--device auto falls back to the CPU without an adapter: ${r.stdout}`);
  const last = lines.at(-1) ?? "";
  assert.notEqual(last, "RAN", "a driver that does not exist cannot run a session");
  const out = JSON.parse(last) as { code: string; message: string };
  assert.equal(out.code, "no_gpu_adapter", r.stdout + r.stderr);
  assert.match(out.message, /WebGPU found no adapter: it looked for the Vulkan driver VK_ICD_FILENAMES names/);
});

test("node placements are read per session from ORT's verbose log; shape arithmetic on the CPU is not compute", () => {
  const p = "[V:onnxruntime:, session_state.cc:1377 VerifyEachNodeIsAssignedToAnEp]";
  const log = [
    `${p} Node placements`,
    `${p}  All nodes placed on [WebGpuExecutionProvider]. Number of nodes: 130`,
    "unrelated line",
    `${p} Node placements`,
    `${p}  Node(s) placed on [CPUExecutionProvider]. Number of nodes: 3`,
    `${p}   Slice ()`,
    `${p}   DynamicQuantizeMatMul (n7)`,
    `${p}   Loop ()`,
    `${p}  Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 2`,
    `${p}   MatMul ()`,
    `${p}   Softmax ()`,
  ].join("\n");
  const s = parsePlacements(log);
  assert.deepEqual(s, [
    [{ provider: "WebGpuExecutionProvider", nodes: 130, ops: {} }],
    [
      { provider: "CPUExecutionProvider", nodes: 3, ops: { Slice: 1, DynamicQuantizeMatMul: 1, Loop: 1 } },
      { provider: "WebGpuExecutionProvider", nodes: 2, ops: { MatMul: 1, Softmax: 1 } },
    ],
  ]);
  assert.deepEqual(computeLeftOnCpu(s[1]), { DynamicQuantizeMatMul: 1 });
  assert.deepEqual(computeLeftOnCpu(s[1], true), { Loop: 1 });
  assert.deepEqual(computeLeftOnCpu(s[0]), {});
});
