// Writes grouped VideoMarathon conversation records as the official sharder does
// (scripts/sharding/sharding_videofeat_str_data.py): columns {video: "str", text: "json"}, where video
// is the path of the record's feature file and text is the whole record plus `source` (the file stem).
import { basename, extname, join } from "node:path";
import { isConversationRecord, type ConversationRecord } from "./record.ts";
import { itemLocation, readRecords } from "./readers.ts";
import { Validator, type ValidatorOptions } from "./validate.ts";
import { MdsWriter, type MdsIndex } from "./mds.ts";

export const VIDEO_SHARD_COLUMNS = { video: "str", text: "json" } as const;

/** root/data_source/video with ".mp4"→".pt" and "VideoMarathon/videos"→"VideoMarathon/features", as the official script. */
export function featurePath(r: { video: string; data_source: string }, root = ""): string {
  const p = root ? join(root, r.data_source, r.video) : join(r.data_source, r.video);
  return p.replaceAll(".mp4", ".pt").replaceAll("VideoMarathon/videos", "VideoMarathon/features");
}

export interface ShardFileOptions extends ValidatorOptions {
  sizeLimit?: number | string | null;
  /** Folder the feature paths start from (the official --root_path). */
  root?: string;
  /** Value of the added `source` field; default the input file's stem. */
  source?: string;
  onRecord?: () => void;
}

export interface ShardFileResult {
  samples: number;
  shards: number;
  bytes: number;
  rejected: number;
  index: MdsIndex;
}

export async function shardFile(input: string, out: string, opts: ShardFileOptions = {}): Promise<ShardFileResult> {
  const source = opts.source ?? basename(input, extname(input));
  const validator = new Validator(opts);
  const writer = new MdsWriter({ out, columns: { ...VIDEO_SHARD_COLUMNS }, sizeLimit: opts.sizeLimit });
  let samples = 0;
  try {
    for await (const item of readRecords(input)) {
      opts.onRecord?.();
      const r = validator.check(item);
      if (!r) continue;
      if (!isConversationRecord(r)) throw new Error(`${itemLocation(item)}: a flat QA row; shards hold grouped conversation records, run "data group" first`);
      const text: ConversationRecord = { ...r, source };
      writer.write({ video: featurePath(r, opts.root), text });
      samples++;
    }
  } catch (e) {
    writer.abort();
    throw e;
  }
  const index = writer.finish();
  return { samples, shards: index.shards.length, bytes: index.shards.reduce((a, s) => a + s.raw_data.bytes, 0), rejected: validator.summary().rejected, index };
}
