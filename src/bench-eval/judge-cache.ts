// judge-verdicts.jsonl in the run folder: every verdict the judge gave, keyed by what was asked (judge model, system
// message, prompt, and the video a video-only judge is shown), so a resumed run, or a rerun that only adds --judge,
// never asks the judge twice for the same prompt. Append-only: one line per verdict, written with one write() on a
// file opened for appending, so a line is whole or, if the process is killed mid-write, a tail without its newline,
// which the next open cuts off (that verdict is asked again).
import { createHash } from "node:crypto";
import { closeSync, openSync, writeSync } from "node:fs";
import { readAppendLog } from "../io/append-log.ts";

export const JUDGE_CACHE_FILE = "judge-verdicts.jsonl";

/** What the judge is asked, in full. */
export interface JudgeAsk {
  model: string;
  /** null where the system message is left out (a judge that takes none, --judge-video). */
  system: string | null;
  prompt: string;
  /** The video_url sent with the prompt (--judge-video), or null. */
  video: string | null;
}

export interface CachedVerdict extends JudgeAsk {
  key: string;
  /** Each output asked for, in order; the last is the verdict. */
  outputs: string[];
}

/** sha256 over the ask's fields (JSON, so no two asks share a key by concatenation). */
export function judgeKey(a: JudgeAsk): string {
  return createHash("sha256")
    .update(JSON.stringify([a.model, a.system, a.prompt, a.video]), "utf8")
    .digest("hex");
}

export class JudgeCache {
  private constructor(
    readonly path: string,
    private readonly byKey: Map<string, CachedVerdict>,
  ) {}

  static open(path: string): JudgeCache {
    const byKey = new Map<string, CachedVerdict>();
    readAppendLog<CachedVerdict>(path, "verdict", "move the file away to ask the judge again").forEach((v, i) => {
      if (typeof v.key !== "string" || !Array.isArray(v.outputs)) throw new Error(`${path}:${i + 1}: not a verdict line (no key or outputs)`);
      if (!byKey.has(v.key)) byKey.set(v.key, v); // the first verdict for an ask stands
    });
    return new JudgeCache(path, byKey);
  }

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): CachedVerdict | undefined {
    return this.byKey.get(key);
  }

  /** Appends one verdict as one line (one write), then keeps it. */
  add(ask: JudgeAsk, outputs: string[]): CachedVerdict {
    const v: CachedVerdict = { key: judgeKey(ask), ...ask, outputs };
    const fd = openSync(this.path, "a");
    try {
      const buf = Buffer.from(JSON.stringify(v) + "\n", "utf8");
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off);
    } finally {
      closeSync(fd);
    }
    if (!this.byKey.has(v.key)) this.byKey.set(v.key, v);
    return v;
  }
}
