// An exclusive lock file holding the owner's pid; a lock whose pid is gone is stale and taken over, so a
// killed encoder never blocks the next one.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export interface Lock {
  release(): void;
}

export async function acquireLock(path: string, opts: { waitMs?: number; onWait?: (pid: number) => void } = {}): Promise<Lock> {
  const deadline = Date.now() + (opts.waitMs ?? 24 * 3600 * 1000);
  let told = false;
  for (;;) {
    try {
      const fd = openSync(path, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return { release: () => rmSync(path, { force: true }) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let pid = NaN;
    try {
      pid = Number.parseInt(readFileSync(path, "utf8"), 10);
    } catch {
      continue; // released between our open and read
    }
    if (!Number.isFinite(pid) || !alive(pid)) {
      rmSync(path, { force: true }); // stale: its owner died
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${path} is held by process ${pid}; gave up waiting`);
    if (!told) opts.onWait?.(pid);
    told = true;
    await new Promise((r) => setTimeout(r, 200));
  }
}
