import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { registerDataCommands } from "../../src/cli/data.ts";
import { MdsReader } from "../../src/data/mds.ts";
import { tempDir } from "./tmp.ts";

async function run(args: string[]): Promise<{ out: string; err: string; code: number | undefined }> {
  const program = new Command().exitOverride();
  registerDataCommands(program);
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const write = process.stderr.write.bind(process.stderr);
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
  try {
    await program.parseAsync(["node", "hourllava", ...args]);
  } finally {
    console.log = log;
    process.stderr.write = write;
  }
  const code = process.exitCode as number | undefined;
  process.exitCode = undefined;
  return { out: out.join("\n"), err: err.join(""), code };
}

const dir = tempDir();
const qa = (video: string, i: number, extra: Record<string, unknown> = {}) => ({
  video,
  data_source: "panda",
  duration: 300,
  task: "Object Recognition",
  question_type: "OE",
  question: `Q${i}?`,
  answer: `A${i}.`,
  events: 4,
  ...extra,
});

test("data validate: summary on stdout, rejects on stderr, exit code 1; --strict stops at the first", async () => {
  const f = join(dir, "in.jsonl");
  writeFileSync(f, [qa("a.mp4", 0), qa("a.mp4", 1, { task: "Nope" })].map((r) => JSON.stringify(r)).join("\n") + "\nnot json\n");
  const r = await run(["data", "validate", f, "--quiet", "--rejects", join(dir, "rej.jsonl")]);
  assert.equal(r.code, 1);
  assert.equal(r.out.split("\n")[0], "3 records: 1 valid, 2 rejected");
  assert.ok(r.err.includes(`reject: ${f}:2 task: "Nope" is not one of the 22 VideoMarathon tasks`));
  assert.equal(readFileSync(join(dir, "rej.jsonl"), "utf8").trim().split("\n").length, 2);
  await assert.rejects(run(["data", "validate", f, "--quiet", "--strict"]), { message: `${f}:2 task: "Nope" is not one of the 22 VideoMarathon tasks` });
});

test("data group → data shard → data stats on one small file", async () => {
  const f = join(dir, "qa.jsonl");
  writeFileSync(f, Array.from({ length: 7 }, (_, i) => JSON.stringify(qa(i < 6 ? "a.mp4" : "b.mp4", i))).join("\n") + "\n");
  const g = await run(["data", "group", f, "--out", join(dir, "g.jsonl"), "--seed", "4", "--quiet"]);
  assert.equal(g.out, `7 QA pairs of 2 videos → 3 samples in ${join(dir, "g.jsonl")}`);
  const s = await run(["data", "shard", join(dir, "g.jsonl"), "--out", join(dir, "mds"), "--size-limit", "1kb", "--quiet"]);
  assert.match(s.out, /^3 samples in \d shard\(s\), \d+ bytes, in /);
  const r = new MdsReader(join(dir, "mds"));
  assert.equal(r.length, 3);
  assert.equal((r.get(0).text as { source: string }).source, "g");
  r.close();
  const st = await run(["data", "stats", f, "--out", join(dir, "stats"), "--no-png", "--quiet"]);
  assert.equal(st.out, `7 QA pairs, 2 videos; wrote stats.md, stats.json and 7 chart files to ${join(dir, "stats")}`);
  assert.ok(existsSync(join(dir, "stats", "qa-per-task.svg")));
  assert.equal(JSON.parse(readFileSync(join(dir, "stats", "stats.json"), "utf8")).qaByTask["Object Recognition"], 7);
  await assert.rejects(run(["data", "group", f, "--out", join(dir, "x.jsonl"), "--seed", "x"]), {
    message: '--seed: expected an integer in 0..4294967295, got "x"',
  });
});
