// Locks name their owner (pid, host, pid start time, since): a reused pid is not mistaken for the owner, a
// lock from another host is never stolen, and a waiter is told whom it waits for and gives up at its timeout.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { acquireLock, readLockOwner, type LockOwner } from "../../src/cache/lock.ts";
import { MemoryCache } from "../../src/cache/cache.ts";
import { writeSafetensors } from "../../src/io/safetensors.ts";

let dir = "";
before(() => (dir = mkdtempSync(join(tmpdir(), "hl-lock-owner-"))));
after(() => rmSync(dir, { recursive: true, force: true }));

const lockOf = (o: Partial<LockOwner>) => JSON.stringify({ pid: process.pid, host: hostname(), pidStart: "1", sinceMs: Date.UTC(2026, 0, 2, 3, 4, 5), ...o });

test("the lock file names pid, host, pid start time and since", async () => {
  const path = join(dir, "own.lock");
  const l = await acquireLock(path);
  const o = readLockOwner(path)!;
  l.release();
  assert.equal(o.pid, process.pid);
  assert.equal(o.host, hostname());
  assert.match(o.pidStart, /^\d+$/);
  assert.ok(o.sinceMs > Date.UTC(2026, 0, 1));
});

test("a live pid that is not the lock's owner (another start time) is taken over at once", async () => {
  const path = join(dir, "reused.lock");
  writeFileSync(path, lockOf({ pid: process.pid, pidStart: "12345" })); // our pid, but not our start time
  const l = await acquireLock(path, { waitMs: 0 });
  l.release();
});

test("an old bare-pid lock naming a live unrelated process: told whom it waits for, gives up at the timeout", async () => {
  const path = join(dir, "bare.lock");
  writeFileSync(path, "1"); // pid 1 is alive; an old lock cannot tell it from the owner
  const told: LockOwner[] = [];
  await assert.rejects(acquireLock(path, { waitMs: 300, onWait: (o) => told.push(o) }), {
    message: `${path} is held by process 1 on ${hostname()}; gave up waiting after 0 s`,
  });
  assert.equal(told.length, 1);
  assert.equal(told[0].pid, 1);
});

test("a lock from another host is never taken over, even with a pid dead here; the error says what to do", async () => {
  const path = join(dir, "nfs.lock");
  writeFileSync(path, lockOf({ pid: 999999999, host: "render-07" }));
  await assert.rejects(acquireLock(path, { waitMs: 200 }), {
    message: `${path} is held by process 999999999 on render-07 since 2026-01-02T03:04:05Z; gave up waiting after 0 s; if render-07 is down, remove ${path}`,
  });
  assert.ok(existsSync(path));
});

test("data loss across containers: a lock of another pid namespace on this host is never taken over", async () => {
  const path = join(dir, "container.lock");
  writeFileSync(path, lockOf({ pid: 999999999, pidNs: "1" })); // pid 999999999 is dead here, maybe not there
  await assert.rejects(acquireLock(path, { waitMs: 200 }), {
    message: `${path} is held by process 999999999 in another pid namespace (container) on ${hostname()} since 2026-01-02T03:04:05Z; gave up waiting after 0 s; if that container's process is gone, remove ${path}`,
  });
  assert.ok(existsSync(path));
  writeFileSync(path, lockOf({ pid: 999999999, pidNs: await ownNs() }));
  (await acquireLock(path, { waitMs: 0 })).release(); // the same namespace, a dead pid: stale, taken over
});

async function ownNs(): Promise<string> {
  const path = join(dir, "ns.lock");
  const l = await acquireLock(path);
  const ns = readLockOwner(path)!.pidNs!;
  l.release();
  return ns;
}

test("partial encodes are listed with their progress and owner; gc removes stale unowned ones only", () => {
  const cdir = join(dir, "cache");
  const c = MemoryCache.open(cdir);
  const part = (key: string, hoursAgo: number) => {
    const p = join(cdir, `${key}.partial`);
    mkdirSync(p);
    const f = join(p, "part-00000000.safetensors");
    writeSafetensors(f, { tokens: { dtype: "F32", shape: [2, 64, 4], data: new Float32Array(2 * 64 * 4) } });
    const t = new Date(Date.now() - hoursAgo * 3600_000);
    utimesSync(f, t, t);
    utimesSync(p, t, t);
  };
  part("old-dead", 48);
  writeFileSync(join(cdir, "old-dead.lock"), lockOf({ pid: 999999999 }));
  part("old-orphan", 30);
  part("old-running", 48);
  writeFileSync(join(cdir, "old-running.lock"), lockOf({ pid: process.pid, pidStart: "" }));
  part("fresh", 1);
  const ls = c.partials();
  assert.deepEqual(ls.map((p) => [p.key, p.frames, p.ownerState ?? "none"]).sort(), [
    ["fresh", 2, "none"],
    ["old-dead", 2, "dead"],
    ["old-orphan", 2, "none"],
    ["old-running", 2, "alive"],
  ]);
  const { partials } = c.gc({});
  assert.deepEqual(partials.map((p) => p.key).sort(), ["old-dead", "old-orphan"]);
  for (const k of ["old-dead", "old-orphan"]) assert.ok(!existsSync(join(cdir, `${k}.partial`)));
  assert.ok(!existsSync(join(cdir, "old-dead.lock")));
  for (const k of ["old-running", "fresh"]) assert.ok(existsSync(join(cdir, `${k}.partial`)));
});
