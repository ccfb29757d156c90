// Video memories for questions (images are encoded per request): the last few stay in the process (a cached hour of 3B tokens is ~1 GB to read
// back), the rest come from the memory cache shared with the CLI, or are encoded into it. Called inside a
// queue job; an encode stops at its next batch once the request is aborted (its finished parts stay, resumable).
import { statSync } from "node:fs";
import type { HourLlavaApp, ImageMemory, VideoMemory } from "../app/app.ts";
import { ApiError } from "./errors.ts";
import { checkAborted } from "./queue.ts";

export type OnProgress = (done: number, total: number) => void;

/** Any failure to read the video (or image) as a 422 naming it (an ApiError, e.g. an abort, passes through). */
export function unreadable(e: unknown, param: string | null = null, what: "video" | "image" = "video"): ApiError {
  if (e instanceof ApiError) return e;
  return new ApiError(422, "invalid_request_error", `the ${what} cannot be read: ${(e as Error).message.split("\n")[0]}`, param, `unreadable_${what}`);
}

export class MemoryShelf {
  private readonly held = new Map<string, VideoMemory>();
  constructor(
    private readonly app: HourLlavaApp,
    private readonly keep: number,
  ) {}

  async get(path: string, signal: AbortSignal, onProgress?: OnProgress): Promise<VideoMemory> {
    let id: string;
    try {
      const st = statSync(path);
      id = `${path}\0${st.size}\0${st.mtimeMs}`; // a replaced file is a new video
    } catch (e) {
      throw unreadable(e, "messages"); // removed since the request named it
    }
    const hit = this.held.get(id);
    if (hit) {
      this.held.delete(id); // re-insert: Map order is the LRU order
      this.held.set(id, hit);
      return hit;
    }
    let mem: VideoMemory;
    try {
      mem = await this.app.remember(path, {
        onProgress: (done, total) => {
          checkAborted(signal); // thrown out of the encode loop: the job ends at this batch
          onProgress?.(done, total);
        },
      });
    } catch (e) {
      throw unreadable(e, "messages");
    }
    if (this.keep > 0) {
      this.held.set(id, mem);
      while (this.held.size > this.keep) this.held.delete(this.held.keys().next().value!);
    }
    return mem;
  }

  /** An image's memory: a few tiles through the tower, so it is built for each request rather than kept. */
  async getImage(path: string): Promise<ImageMemory> {
    try {
      return await this.app.rememberImage(path);
    } catch (e) {
      throw unreadable(e, "messages", "image");
    }
  }

  /** Drops the held memory of a deleted cache entry. */
  forget(cacheKey: string): void {
    for (const [id, m] of this.held) if (m.cache.key === cacheKey) this.held.delete(id);
  }
}
