// The encode farm on a real redis-server: videos queued with `encode --list`, two `worker encode` processes,
// one SIGKILLed in the middle of a video. Every video ends encoded exactly once, bit-identical to a local
// encode; nothing half-written stays in the cache; a broken video is dead-lettered with its error.
import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { readLockOwner } from "../../src/cache/lock.ts";
import { queueStatus } from "../../src/data/synthesis/queue/synth-queue.ts";
import { openSafetensors } from "../../src/io/safetensors.ts";
import { missingProgram } from "../helpers/needs.ts";
import { startRedisServer, until, type RedisServer } from "../helpers/redis-server.ts";
import { runBinary } from "../app/tiny-model.ts";
import { clip, writeLvbench } from "../bench-eval/fixtures.ts";

/** The binary without blocking this process (its workers' events keep arriving meanwhile). */
function runAsync(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const p = spawn(process.execPath, ["bin/hourllava.js", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  p.stdout!.on("data", (d) => (out += d));
  p.stderr!.on("data", (d) => (err += d));
  return new Promise((r) => p.once("close", (code) => r({ code, out, err })));
}

const skip = missingProgram("redis-server", "apt-get install -y redis-server (Debian) or brew install redis", "HOURLLAVA_REQUIRE_REDIS");

describe("encode farm on a real redis-server", { skip }, () => {
  let redis: RedisServer;
  let root = "";
  const workers: { proc: ChildProcess; lines: string[] }[] = [];

  before(async () => {
    redis = await startRedisServer();
    root = mkdtempSync(join(tmpdir(), "hl-farm-"));
  });
  after(async () => {
    for (const w of workers) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill("SIGKILL");
    await redis?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const farm = (cache: string) => ["--redis", redis.url, "--queue-name", "farm-test", "--cache-dir", cache];

  function startWorker(cache: string) {
    const proc = spawn(
      process.execPath,
      ["bin/hourllava.js", "worker", "encode", ...farm(cache), "--batch", "2", "--lock-duration", "1500", "--stalled-interval", "300"],
      {
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    const w = { proc, lines: [] as string[] };
    createInterface({ input: proc.stderr! }).on("line", (l) => w.lines.push(l));
    workers.push(w);
    return w;
  }

  test("two workers, one killed mid-video: each video encoded once, identical to a local encode", async () => {
    const videos = join(root, "videos");
    const names = ["a.mp4", "b.mp4", "c.mp4"];
    names.forEach((n, i) => clip(join(videos, n), 3 + i, 50 * i));
    mkdirSync(videos, { recursive: true });
    writeFileSync(join(videos, "broken.mp4"), "this is not a video\n");
    writeFileSync(join(root, "videos.txt"), ["# the farm's work", ...names.map((n) => `videos/${n}`), "videos/broken.mp4", ""].join("\n"));
    const cache = join(root, "shared-cache");

    const q = runBinary(["encode", "--list", join(root, "videos.txt"), ...farm(cache), "--attempts", "2", "--backoff", "100"]);
    assert.equal(q.code, 0, q.err);
    assert.match(q.out, /^4 videos queued, 0 already queued \(queue farm-test at redis:\/\/127\.0\.0\.1:\d+\)\n$/);
    assert.match(runBinary(["encode", "--list", join(root, "videos.txt"), ...farm(cache)]).out, /^0 videos queued, 4 already queued/);

    const a = startWorker(cache);
    const b = startWorker(cache);
    // Kill whichever worker holds the lock of a memory that has parts on disk but is not finished.
    const victim = await until(
      "a worker in the middle of a video",
      () => {
        if (!existsSync(cache)) return undefined;
        for (const n of readdirSync(cache).filter((x) => x.endsWith(".partial"))) {
          if (!readdirSync(join(cache, n)).some((p) => p.startsWith("part-"))) continue;
          const owner = readLockOwner(join(cache, n.replace(/\.partial$/, ".lock")));
          const w = [a, b].find((x) => x.proc.pid === owner?.pid);
          if (w) return w;
        }
        return undefined;
      },
      90_000,
      5,
    );
    victim.proc.kill("SIGKILL");
    const survivor = victim === a ? b : a;

    const status = await until(
      "the farm to finish",
      async () => {
        const s = await queueStatus({ redisUrl: redis.url, queueName: "farm-test" });
        return s.completed + s.failed === 4 && s.active === 0 ? s : undefined;
      },
      120_000,
      500,
    );
    assert.equal(status.completed, 3);
    assert.equal(status.failed, 1);
    assert.equal(status.dead, 1);
    assert.match(status.deadLetters[0].error, /broken\.mp4/);
    const text = runBinary(["encode", "--status", ...farm(cache)]).out;
    assert.match(text, /completed +3/);
    assert.match(text, /dead .*broken\.mp4/);

    // Exactly one finished memory per video, and no parts, locks or temp files left behind.
    const left = readdirSync(cache).filter((n) => !n.endsWith(".json"));
    const entries = left.filter((n) => n.endsWith(".safetensors"));
    assert.equal(entries.length, 3, left.join(" "));
    assert.deepEqual(
      left.filter((n) => !n.endsWith(".safetensors")),
      [],
    );
    const done = [...a.lines, ...b.lines].filter((l) => / done /.test(l));
    for (const n of names) assert.equal(done.filter((l) => l.includes(`/${n}:`)).length, 1, `${n}: ${done.join("\n")}`);
    assert.ok(
      survivor.lines.some((l) => / start .*\(attempt \d\)/.test(l)),
      "the survivor took jobs",
    );

    // The same memories encoded locally, one at a time, in another cache.
    const local = join(root, "local-cache");
    for (const n of names) {
      const r = runBinary(["encode", join(videos, n), "--cache-dir", local, "--batch", "2", "--json", "--quiet"]);
      assert.equal(r.code, 0, r.err);
      const key = JSON.parse(r.out).cache.key as string;
      assert.ok(entries.includes(`${key}.safetensors`), `${n}: the farm has ${key}`);
      const [x, y] = [join(cache, `${key}.safetensors`), join(local, `${key}.safetensors`)].map((p) => {
        const f = openSafetensors(p);
        const t = f.read("tokens");
        f.close();
        return t;
      });
      assert.equal(x.length, y.length);
      assert.ok(
        x.every((v, i) => Object.is(v, y[i])),
        `${n}: farm and local memories differ`,
      );
    }
  });

  test("a job queued with other settings is refused by the worker and dead-lettered, naming the difference", async () => {
    const cache = join(root, "other-cache");
    const vids = join(root, "videos2");
    clip(join(vids, "d.mp4"), 3, 200);
    writeFileSync(join(root, "v2.txt"), "videos2/d.mp4\n");
    const q = runBinary(["encode", "--list", join(root, "v2.txt"), ...farm(cache), "--queue-name", "farm-test-2", "--max-frames", "4", "--attempts", "1"]);
    assert.equal(q.code, 0, q.err);
    const w = spawn(process.execPath, ["bin/hourllava.js", "worker", "encode", ...farm(cache), "--queue-name", "farm-test-2"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    const lines: string[] = [];
    createInterface({ input: w.stderr! }).on("line", (l) => lines.push(l));
    workers.push({ proc: w, lines });
    const s = await until(
      "the job to be refused",
      async () => {
        const st = await queueStatus({ redisUrl: redis.url, queueName: "farm-test-2" });
        return st.dead === 1 ? st : undefined;
      },
      60_000,
      300,
    );
    assert.match(s.deadLetters[0].error, /queued for other settings \(the job wants maxFrames 4, this worker has null\)/);
  });
  test("eval --redis has the workers encode its videos, then answers from their memories", async () => {
    const cache = join(root, "eval-cache");
    const data = join(root, "lvbench");
    writeLvbench(data);
    const w = spawn(process.execPath, ["bin/hourllava.js", "worker", "encode", ...farm(cache), "--queue-name", "farm-eval", "--max-frames", "4"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    const lines: string[] = [];
    createInterface({ input: w.stderr! }).on("line", (l) => lines.push(l));
    workers.push({ proc: w, lines });
    const r = await runAsync([
      "eval",
      "lvbench",
      "--data",
      data,
      "--out",
      join(root, "eval-out"),
      ...farm(cache),
      "--queue-name",
      "farm-eval",
      "--max-frames",
      "4",
      "--quiet",
    ]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^lvbench: 3\/3 answered/);
    for (const v of ["lvA", "lvB"])
      assert.ok(
        lines.some((l) => l.includes(` done  ${join(data, "videos", v)}.mp4:`)),
        lines.join("\n"),
      );
  });
});
