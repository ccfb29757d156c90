// `hourllava encode --list videos.txt --redis redis://…` (queue videos for the workers) and `encode --status`;
// also the farm step of `eval --redis`. The options are added to the `encode` command of ask.ts.
import type { Command } from "commander";
import { appModelId } from "../app/app.ts";
import { resolveModel } from "../app/resolve-model.ts";
import { defaultCacheDir } from "../cache/cache.ts";
import { DEFAULT_REDIS_URL, queueStatus, renderQueueStatus } from "../data/synthesis/queue/synth-queue.ts";
import { readVideoList, type EncodeSettings } from "../farm/encode-job.ts";
import { DEFAULT_ENCODE_QUEUE, enqueueEncodes, waitForEncodes } from "../farm/encode-queue.ts";
import { createProgress } from "../util/progress.ts";
import type { CommonOpts } from "./model-options.ts";
import { intOption, retiredOption } from "./options.ts";

export interface FarmOpts {
  list?: string;
  redis?: string;
  queueName: string;
  status?: boolean;
  attempts: number;
  backoff: number;
}

export function withQueueOptions(c: Command): Command {
  c.option("--redis <url>", "Redis of the encode farm, redis://host:port (default $HOURLLAVA_REDIS_URL or redis://127.0.0.1:6379)").option(
    "--queue-name <name>",
    "encode queue name",
    DEFAULT_ENCODE_QUEUE,
  );
  return retiredOption(c, "--queue <url>", "the Redis server is --redis <url>, the queue's name --queue-name <name>");
}

export function withFarmOptions(c: Command): Command {
  return withQueueOptions(c)
    .option("--list <file>", "queue every video of this file (one path a line, relative to the file) for `hourllava worker encode`")
    .option("--status", "show the encode queue: waiting, running, done, failed and dead letters with their errors")
    .option("--attempts <n>", "tries per video before it goes to the dead letters", intOption("attempts", 1), 3)
    .option("--backoff <ms>", "first retry delay, doubled each retry", intOption("backoff", 0), 10_000);
}

export const redisUrlOf = (o: { redis?: string }) => o.redis ?? process.env.HOURLLAVA_REDIS_URL ?? DEFAULT_REDIS_URL;

/** What a memory is built with; workers refuse jobs whose settings differ from theirs. */
export function encodeSettings(o: CommonOpts, model: string): EncodeSettings {
  if (o.fps === "auto") throw new Error("--fps auto is for --live sources; an encode farm needs a number");
  return { model, sampling: o.sampling ?? "one-fps-min", fps: o.fps ?? null, maxFrames: o.maxFrames ?? null, cacheDtype: o.cacheDtype ?? "f16" };
}

/** Handles --list / --status; false when the command is a plain local encode. */
export async function encodeFarm(video: string | undefined, o: CommonOpts & FarmOpts): Promise<boolean> {
  if (!o.list && !o.status) {
    if (o.redis) throw new Error("encode --redis needs --list videos.txt (or --status); workers run `hourllava worker encode --redis …`");
    return false;
  }
  if (video) throw new Error(`encode: give either a video or --list/--status, not both`);
  const target = { redisUrl: redisUrlOf(o), queueName: o.queueName };
  if (o.status) {
    const s = await queueStatus({ ...target, listLimit: 20 });
    process.stdout.write((o.json ? JSON.stringify(s, null, 2) : renderQueueStatus(s)) + "\n");
    return true;
  }
  const videos = readVideoList(o.list!);
  const model = await appModelId(await resolveModel(o.model), o.cacheDir ?? defaultCacheDir(), {
    quant: o.quant,
    computeDtype: o.computeDtype === "f16" ? "float16" : "float32",
  });
  const r = await enqueueEncodes(videos, encodeSettings(o, model), { ...target, attempts: o.attempts, backoffMs: o.backoff });
  process.stdout.write(`${r.added} videos queued, ${r.existing} already queued (queue ${o.queueName} at ${target.redisUrl})\n`);
  return true;
}

/** eval --redis: the videos go to the farm and the run waits for them; failures are told, not fatal (the run
 * then lists those videos as not encodable). */
export async function encodeThroughFarm(videos: string[], settings: EncodeSettings, o: { redis?: string; queueName: string; quiet?: boolean }): Promise<void> {
  const target = { redisUrl: redisUrlOf(o), queueName: o.queueName };
  const { ids } = await enqueueEncodes(videos, settings, target);
  const p = createProgress({ label: "encode (farm)", total: ids.length, unit: "videos", quiet: o.quiet });
  let last = 0;
  const r = await waitForEncodes(ids, {
    ...target,
    onProgress: (n) => {
      p.tick(n - last);
      last = n;
    },
  });
  p.done();
  for (const f of r.failed) process.stderr.write(`farm could not encode ${f.video}: ${f.error}\n`);
}
