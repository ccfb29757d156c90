// Temp folders of this run: named hourllava-<kind>-<pid>-<host>-<pidns>-XXXXXX in the OS temp folder, removed when
// released, on exit and on SIGINT/SIGTERM. Folders left by killed runs are removed at the next start only when
// provably stale: made on this host, in this pid namespace, by a pid that is gone (util/pid.ts says why). A folder
// of another container sharing the temp folder, or of an older name without that identity, is left alone.
// A large model's ONNX copy lives here while ORT loads it (12 GB of f32 for a 3B), so a leak is expensive.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { pidAlive, pidNamespace } from "./pid.ts";

const live = new Set<string>();
let installed = false;
const NAME = /^hourllava-[a-z]+-(\d+)-([0-9a-f]{8})-(\d*)-[A-Za-z0-9]{6}$/;

/** The host as 8 hex digits (a host name may hold characters a file name should not). */
function hostTag(host = hostname()): string {
  return createHash("sha256").update(host).digest("hex").slice(0, 8);
}

function removeAll(): void {
  for (const d of live) rmSync(d, { recursive: true, force: true });
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeAll();
  // Die of the same signal, as without a handler (exit status 128+n for the shell).
  process.removeListener("SIGINT", onSignal);
  process.removeListener("SIGTERM", onSignal);
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on("exit", removeAll);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}

/** A fresh temp folder, removed by releaseRunTempDir or when the process ends. */
export function runTempDir(kind: string): string {
  install();
  const dir = mkdtempSync(join(tmpdir(), `hourllava-${kind}-${process.pid}-${hostTag()}-${pidNamespace()}-`));
  live.add(dir);
  return dir;
}

export function releaseRunTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  live.delete(dir);
}

/** Removes the temp folders of runs whose process is gone; returns their paths. */
export function cleanStaleRunTempDirs(root = tmpdir()): string[] {
  const removed: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(root);
  } catch {
    return removed;
  }
  for (const n of names) {
    const m = NAME.exec(n);
    if (!m || m[2] !== hostTag() || m[3] !== pidNamespace()) continue; // not provably ours to judge
    if (Number(m[1]) === process.pid || pidAlive(Number(m[1]))) continue;
    try {
      rmSync(join(root, n), { recursive: true, force: true });
      removed.push(join(root, n));
    } catch {
      // another user's folder, or already gone
    }
  }
  return removed;
}
