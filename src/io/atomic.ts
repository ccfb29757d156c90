// Temp-then-rename helpers, so a reader never sees a half-written file or folder.
import { existsSync, renameSync, rmSync, writeFileSync, fsyncSync, openSync, closeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { assertReplaceable } from "./output-folder.ts";
import type { OwnFiles } from "./output-folder.ts";

/** A temp name next to `path` (same folder, so the final rename is atomic on one filesystem). */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
}

export function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // best effort: the temp name never collides with real output
  }
}

export function commitTempFile(tmp: string, path: string): void {
  try {
    renameSync(tmp, path);
  } catch (e) {
    removeQuietly(tmp);
    throw new Error(`cannot move ${tmp} to ${path}: ${(e as Error).message}`);
  }
}

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = tempPathFor(path);
  try {
    writeFileSync(tmp, data, { flag: "wx" });
    const fd = openSync(tmp, "r+");
    fsyncSync(fd);
    closeSync(fd);
  } catch (e) {
    removeQuietly(tmp);
    // Node's ENOSPC/EIO messages name no file ("no space left on device, write"): say which one.
    throw new Error(`cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
  commitTempFile(tmp, path);
}

/**
 * Moves a fully written temp folder to `dir`. A folder already there must hold only `own` files (the same kind of
 * output; output-folder.ts), else the temp folder is dropped and the call throws. It is moved aside and removed
 * only after the new one is in place, so `dir` is always either the old or the new complete folder.
 */
export function commitTempDir(tmpDir: string, dir: string, own: OwnFiles, what: string): void {
  try {
    assertReplaceable(dir, own, what);
  } catch (e) {
    removeQuietly(tmpDir);
    throw e;
  }
  if (!existsSync(dir)) {
    commitTempFile(tmpDir, dir);
    return;
  }
  const old = tempPathFor(dir) + ".old";
  renameSync(dir, old);
  try {
    renameSync(tmpDir, dir);
  } catch (e) {
    renameSync(old, dir);
    removeQuietly(tmpDir);
    throw new Error(`cannot move ${tmpDir} to ${dir}: ${(e as Error).message}`);
  }
  removeQuietly(old);
}
