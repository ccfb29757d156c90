// A file that another program is still writing, read as a stream: what is there now, then what is appended, until
// it has not grown for `idleTimeoutS` (the writer finished or died) or the signal aborts (`tail -f` with an end).
import { open } from "node:fs/promises";
import { Readable } from "node:stream";

const CHUNK = 1 << 16;
const POLL_MS = 100;

export interface FollowOptions {
  idleTimeoutS: number;
  /** Bytes to skip at the start. */
  start?: number;
  signal?: AbortSignal;
}

export function followFile(path: string, opts: FollowOptions): Readable {
  let pos = opts.start ?? 0;
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  let idleSince = Date.now();
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  return new Readable({
    async read() {
      try {
        // The writer may not have created it yet: wait for it as for growth.
        while (!handle) {
          try {
            handle = await open(path, "r");
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
            if (opts.signal?.aborted) return void this.push(null);
            if (Date.now() - idleSince > opts.idleTimeoutS * 1000) throw new Error(`no such file (waited ${opts.idleTimeoutS} s for it to appear)`);
            await sleep(POLL_MS);
          }
        }
        const buf = Buffer.allocUnsafe(CHUNK);
        for (;;) {
          if (opts.signal?.aborted) return void this.push(null);
          const { bytesRead } = await handle.read(buf, 0, CHUNK, pos);
          if (bytesRead > 0) {
            pos += bytesRead;
            idleSince = Date.now();
            this.push(buf.subarray(0, bytesRead));
            return;
          }
          if (Date.now() - idleSince > opts.idleTimeoutS * 1000) return void this.push(null);
          await sleep(POLL_MS);
        }
      } catch (e) {
        this.destroy(e as Error);
      }
    },
    async destroy(err, cb) {
      await handle?.close().catch(() => undefined);
      cb(err);
    },
  });
}
