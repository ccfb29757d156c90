// Whether a process is alive, decided only where that can be known. A pid means something only inside its own pid
// namespace on its own host: two containers sharing a temp folder or a cache see each other's files, and `kill(pid,
// 0)` in one says nothing about a pid of the other. So owners are recorded with host and pid namespace, and an
// owner from another host or namespace is never declared dead.
import { readlinkSync } from "node:fs";
import { hostname } from "node:os";

/** Whether a process id is in use in this pid namespace (EPERM: it exists but belongs to another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** This process's pid namespace as the kernel names it ("4026531836"), or "" where /proc does not say. */
export function pidNamespace(): string {
  try {
    return /\[(\d+)\]/.exec(readlinkSync("/proc/self/ns/pid"))?.[1] ?? "";
  } catch {
    return "";
  }
}

/** Whether an owner recorded as (host, pid namespace) can be checked from here: same host, same namespace. A record
 * without a namespace (older files) counts as checkable only on a machine where namespaces cannot be read. */
export function sameProcessSpace(host: string, pidNs: string | undefined): boolean {
  if (host !== hostname()) return false;
  return (pidNs ?? "") === pidNamespace();
}
