import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Queue } from "bullmq";
import { Command } from "commander";
import { writeFileSync } from "node:fs";
import { registerSynthCommands } from "../../../src/cli/synth.ts";
import { createServer, type AddressInfo } from "node:net";
import { enqueueVideos, openRedis, queueStatus, renderQueueStatus, startWorker, type SynthWorker } from "../../../src/data/synthesis/queue/synth-queue.ts";
import { startFakeOpenAi, type FakeOpenAi } from "./fake-openai.ts";
import { PNG_1X1, callsPerVideo, testConfig, video } from "./helpers.ts";
import { tempDir } from "../tmp.ts";
import { missingProgram } from "../../helpers/needs.ts";
import { freePort, startRedisServer, until, type RedisServer } from "../../helpers/redis-server.ts";

const QUEUE = "synth-test";
let redis: RedisServer | undefined;
let redisUrl = "";
let server: FakeOpenAi;
const children: ChildProcess[] = [];

test("an unreachable Redis is one clear error", async () => {
  const port = await freePort();
  await assert.rejects(queueStatus({ redisUrl: `redis://127.0.0.1:${port}` }), { message: `cannot reach Redis at redis://127.0.0.1:${port}: ECONNREFUSED` });
  await assert.rejects(enqueueVideos([], { redisUrl: "http://x" }), { message: 'redis url "http://x": protocol must be redis:, got http:' });
});

test("hangs: a port that accepts and never answers is one clear error after the timeout, not a silent wait", async () => {
  const mute = createServer(() => {}); // accepts, says nothing
  await new Promise<void>((r) => mute.listen(0, "127.0.0.1", r));
  const port = (mute.address() as AddressInfo).port;
  try {
    await assert.rejects(openRedis(`redis://127.0.0.1:${port}`, 300), {
      message: `cannot reach Redis at redis://127.0.0.1:${port}: connected, but no answer to PING within 0.3 s: is it a Redis server?`,
    });
  } finally {
    mute.close();
  }
});

async function runCli(args: string[]): Promise<string> {
  const program = new Command().exitOverride();
  program.command("data").description("data tools");
  registerSynthCommands(program);
  const out: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  try {
    await program.parseAsync(["node", "hourllava", ...args]);
  } finally {
    console.log = log;
  }
  return out.join("\n");
}

const skip = missingProgram("redis-server", "apt-get install -y redis-server (Debian) or brew install redis", "HOURLLAVA_REQUIRE_REDIS");

describe("synthesis queue on a real redis-server", { skip }, () => {
  before(async () => {
    redis = await startRedisServer();
    redisUrl = redis.url;
    server = await startFakeOpenAi();
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    await server?.close();
    await redis?.stop();
  });

  interface Child {
    proc: ChildProcess;
    events: any[];
  }

  function spawnWorker(workdir: string, hang: boolean): Child {
    const script = fileURLToPath(new URL("./worker-child.ts", import.meta.url));
    const proc = spawn(process.execPath, ["--import", "tsx", script], {
      env: { ...process.env, REDIS_URL: redisUrl, QUEUE, WORKDIR: workdir, BASE_URL: server.url, HANG_AFTER_FIRST_CLIP: hang ? "1" : "0" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(proc);
    const child: Child = { proc, events: [] };
    createInterface({ input: proc.stdout! }).on("line", (l) => child.events.push(JSON.parse(l)));
    return child;
  }

  test("workers share the queue; a worker killed mid-job loses nothing and duplicates nothing; failures are dead-lettered", async () => {
    const work = tempDir("hl-synth-q-");
    server.delayMs = 5;
    const a = spawnWorker(work, true);
    const b = spawnWorker(work, false);
    await until("both child workers to start", () => a.events.some((e) => e.type === "ready") && b.events.some((e) => e.type === "ready"), 30_000);

    const videos = Array.from({ length: 6 }, (_, i) => video(`vid-${i}`, 60));
    const enq = await enqueueVideos(videos, { redisUrl, queueName: QUEUE, attempts: 3, backoffMs: 50 });
    assert.deepEqual(enq, { added: videos.map((v) => v.id), existing: [], retried: [] });

    // A captions the first clip of its video and then hangs: kill it there, in the middle of the job.
    const victim: string = await until("worker A to take a job", () => a.events.find((e) => e.type === "active")?.jobId);
    await until("worker A to finish the first clip", () => existsSync(join(work, victim, "clip-0000.json")));
    a.proc.kill("SIGKILL");
    await new Promise((r) => a.proc.once("exit", r));
    assert.ok(!existsSync(join(work, victim, "clip-0001.json")));
    assert.ok(!a.events.some((e) => e.type === "completed"));

    const inProcess: SynthWorker = await startWorker({
      redisUrl,
      queueName: QUEUE,
      workdir: work,
      config: testConfig(server.url, { parallelCalls: 2 }),
      concurrency: 2,
      lockDurationMs: 2000,
      stalledIntervalMs: 500,
      framesForClip: async (v) => {
        if (v.id.startsWith("bad-")) throw new Error(`cannot decode ${v.video}`);
        return [PNG_1X1, PNG_1X1];
      },
    });
    try {
      const done = await until(
        "all six videos to complete",
        async () => {
          const s = await queueStatus({ redisUrl, queueName: QUEUE });
          return s.completed === 6 ? s : undefined;
        },
        30_000,
      );
      assert.deepEqual([done.waiting, done.delayed, done.active, done.failed, done.dead], [0, 0, 0, 0, 0]);

      // Every video has exactly one complete result.
      for (const v of videos) {
        const lines = readFileSync(join(work, v.id, "qa.jsonl"), "utf8")
          .split("\n")
          .filter(Boolean);
        assert.equal(lines.length, 129, v.id);
        const recs = lines.map((l) => JSON.parse(l));
        assert.equal(new Set(recs.map((r) => r.id)).size, 129);
        assert.ok(recs.every((r) => r.video === v.video));
      }
      assert.ok(
        b.events.some((e) => e.type === "completed"),
        "the second child worker did part of the work",
      );
      // No step ran twice: the killed job's first clip was taken from disk when another worker resumed it.
      assert.equal(server.count(), videos.length * callsPerVideo(2));
      assert.equal(server.count("clip"), videos.length * 2);
      const conn = await openRedis(redisUrl);
      const q = new Queue(QUEUE, { connection: conn });
      try {
        const job = await q.getJob(victim);
        assert.equal(await job!.getState(), "completed");
        assert.deepEqual(job!.returnvalue, { videoId: victim, qaCount: 129, events: 3, reused: false });

        // Enqueueing again is a no-op; a job for a video already on disk completes without calls.
        assert.deepEqual(await enqueueVideos(videos, { redisUrl, queueName: QUEUE }), { added: [], existing: videos.map((v) => v.id), retried: [] });
        await (await q.getJob("vid-3"))!.remove();
        const calls = server.count();
        await enqueueVideos([videos[3]], { redisUrl, queueName: QUEUE });
        await until("vid-3 to complete again", async () => ((await q.getJob("vid-3"))?.returnvalue ? true : undefined));
        assert.deepEqual((await q.getJob("vid-3"))!.returnvalue, { videoId: "vid-3", qaCount: 129, events: 3, reused: true });
        assert.equal(server.count(), calls);
      } finally {
        await q.close();
        conn.disconnect();
      }

      // A video that fails every attempt ends failed and in the dead-letter queue, once.
      await enqueueVideos([video("bad-1", 60)], { redisUrl, queueName: QUEUE, attempts: 2, backoffMs: 20 });
      const s = await until("bad-1 to be dead-lettered", async () => {
        const st = await queueStatus({ redisUrl, queueName: QUEUE });
        return st.dead === 1 && st.failed === 1 ? st : undefined;
      });
      assert.deepEqual(s.deadLetters, [{ id: "bad-1", error: "cannot decode panda/bad-1.mp4" }]);
      assert.ok(!existsSync(join(work, "bad-1", "qa.jsonl")));
      assert.equal(
        renderQueueStatus(s),
        [
          "queue synth-test",
          "  waiting   0",
          "  delayed   0",
          "  active    0",
          "  completed 6 (85.7% of 7)",
          "  failed    1",
          "  dead      1  (attempts used up; see below)",
          "  dead bad-1: cannot decode panda/bad-1.mp4",
        ].join("\n"),
      );
    } finally {
      await inProcess.close();
      const exited = new Promise((r) => b.proc.once("exit", r));
      b.proc.kill("SIGTERM");
      await exited;
      server.delayMs = 0;
    }
  });

  test("CLI: data synth enqueue, status (text and JSON), worker with a bad config", async () => {
    const dir = tempDir("hl-synth-cli-");
    const f = join(dir, "videos.jsonl");
    writeFileSync(f, [video("c-1", 90), video("c-2", 200)].map((v) => JSON.stringify(v)).join("\n") + "\n");
    const common = ["--redis", redisUrl, "--queue-name", "synth-cli"];
    assert.equal(await runCli(["data", "synth", "enqueue", f, ...common, "--quiet"]), "2 added, 0 already queued (queue synth-cli)");
    assert.equal(await runCli(["data", "synth", "enqueue", f, ...common, "--quiet"]), "0 added, 2 already queued (queue synth-cli)");
    assert.equal(
      await runCli(["data", "synth", "status", ...common]),
      ["queue synth-cli", "  waiting   2", "  delayed   0", "  active    0", "  completed 0 (0.0% of 2)", "  failed    0", "  dead      0"].join("\n"),
    );
    const s = JSON.parse(await runCli(["data", "synth", "status", ...common, "--json"]));
    assert.deepEqual([s.queue, s.waiting, s.completed, s.dead], ["synth-cli", 2, 0, 0]);
    const cfg = join(dir, "missing.json");
    await assert.rejects(runCli(["data", "synth", "worker", ...common, "--config", cfg, "--workdir", dir]), {
      message: `${cfg}: cannot read synthesis config (ENOENT)`,
    });
    await assert.rejects(runCli(["data", "synth", "enqueue", f, ...common, "--attempts", "0"]), { message: '--attempts: expected an integer ≥ 1, got "0"' });
  });
});
