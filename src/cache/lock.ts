// An exclusive lock file naming its owner: pid, host, the pid's kernel start time and when the lock was taken.
// A lock whose owner is gone is stale and taken over, so a killed encoder never blocks the next one. "Gone" is
// decided only on the owner's host and in its pid namespace (another container sharing the cache cannot see its
// pids: util/pid.ts), and a live pid that started after the lock was written is a reused pid,
// not the owner. A lock from another host (a cache on NFS) is never taken over: it is waited for, and the
// message says whose it is. (proper-lockfile was considered: its mkdir locks carry no owner, so a waiter could
// not say whom it waits for, and they go stale unless a timer refreshes their mtime all through an encode.)
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { pidAlive, pidNamespace, sameProcessSpace } from "../util/pid.ts";

export interface LockOwner {
  pid: number;
  host: string;
  /** The pid's start time as the kernel counts it (/proc/<pid>/stat field 22); "" where unknown. */
  pidStart: string;
  /** When the lock was taken (ms since the epoch). */
  sinceMs: number;
  /** The owner's pid namespace (util/pid.ts); absent in locks written before it was recorded. */
  pidNs?: string;
}

export interface Lock {
  release(): void;
}

export interface LockOptions {
  /** Give up after this long (default 24 h). */
  waitMs?: number;
  /** Told once, when the lock is found held by a live owner. */
  onWait?: (owner: LockOwner) => void;
}

/** The kernel start time of a process, to tell the owner from a later process that reuses its pid. */
function pidStartOf(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "";
  } catch {
    return "";
  }
}

/** Reads a lock file; older locks held only a pid (taken as this host's, time unknown). */
export function readLockOwner(path: string): LockOwner | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (typeof o === "object" && o && typeof o.pid === "number")
      return {
        pid: o.pid,
        host: String(o.host ?? hostname()),
        pidStart: String(o.pidStart ?? ""),
        sinceMs: Number(o.sinceMs ?? 0),
        ...(typeof o.pidNs === "string" ? { pidNs: o.pidNs } : {}),
      };
  } catch {
    // the old format, a bare pid
  }
  const pid = Number.parseInt(text, 10);
  return { pid: Number.isFinite(pid) ? pid : -1, host: hostname(), pidStart: "", sinceMs: 0 };
}

/** "alive", "dead" (safe to take over) or "remote" (another host's: cannot be checked from here). */
export function ownerState(o: LockOwner): "alive" | "dead" | "remote" {
  // A lock without a namespace is an older one: judged as before, on its host.
  if (o.host !== hostname() || (o.pidNs !== undefined && !sameProcessSpace(o.host, o.pidNs))) return "remote";
  if (o.pid <= 0 || !pidAlive(o.pid)) return "dead";
  const now = pidStartOf(o.pid);
  if (o.pidStart && now && now !== o.pidStart) return "dead"; // the pid was reused by an unrelated process
  return "alive";
}

export function describeOwner(o: LockOwner): string {
  const since = o.sinceMs ? ` since ${new Date(o.sinceMs).toISOString().slice(0, 19)}Z` : "";
  const elsewhere = o.host === hostname() && o.pidNs !== undefined && o.pidNs !== pidNamespace();
  return `process ${o.pid} ${elsewhere ? `in another pid namespace (container) on ${o.host}` : `on ${o.host}`}${since}`;
}

export async function acquireLock(path: string, opts: LockOptions = {}): Promise<Lock> {
  const waitMs = opts.waitMs ?? 24 * 3600 * 1000;
  const deadline = Date.now() + waitMs;
  const me: LockOwner = { pid: process.pid, host: hostname(), pidStart: pidStartOf(process.pid), sinceMs: 0, pidNs: pidNamespace() };
  let told = false;
  for (;;) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, JSON.stringify({ ...me, sinceMs: Date.now() }));
      closeSync(fd);
      return { release: () => rmSync(path, { force: true }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const owner = readLockOwner(path);
    if (!owner) continue; // released between our open and read
    if (ownerState(owner) === "dead") {
      rmSync(path, { force: true }); // stale: its owner died
      continue;
    }
    if (Date.now() >= deadline) {
      const remote =
        owner.host !== hostname()
          ? `; if ${owner.host} is down, remove ${path}`
          : ownerState(owner) === "remote"
            ? `; if that container's process is gone, remove ${path}`
            : "";
      throw new Error(`${path} is held by ${describeOwner(owner)}; gave up waiting after ${Math.round(waitMs / 1000)} s${remote}`);
    }
    if (!told) opts.onWait?.(owner);
    told = true;
    await new Promise((r) => setTimeout(r, Math.max(0, Math.min(200, deadline - Date.now()))));
  }
}
