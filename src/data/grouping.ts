// Turns flat QA pairs into training samples: up to 5 QA pairs of one video become one multi-turn
// conversation (README §5.1.2 of the official code). Which QAs go together is not stated there; here
// each video's QAs are shuffled with a PRNG seeded by (seed, video) and cut into chunks of ≤ 5, so the
// result depends only on the seed and the input, not on the order videos arrive in.
import { appendFileSync, closeSync, mkdirSync, mkdtempSync, openSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { commitTempFile, removeQuietly, tempPathFor } from "../io/atomic.ts";
import { IMAGE_TOKEN, isConversationRecord, videoKey, type ConversationRecord, type ConversationTurn, type QaRecord } from "./record.ts";
import { hash32, mulberry32, shuffleInPlace } from "../util/prng.ts";
import { timeInstruction, videoMarathonFrameCount } from "./time-instruction.ts";
import { readJsonl, readRecords, type RawItem } from "./readers.ts";
import { Validator, type ValidatorOptions } from "./validate.ts";

export const MAX_QA_PER_SAMPLE = 5;

/**
 * "rendered": the first human turn is "<image>\n" + time instruction + "\n" + question, as the model
 * sees it. "official": the first human turn is the bare question, for the official streaming loader,
 * which strips any "<image>" and adds "<image>\n" + time instruction itself from the feature file.
 */
export type PromptForm = "rendered" | "official";

export interface GroupOptions {
  seed?: number;
  maxPerSample?: number;
  form?: PromptForm;
  /** T_feat per video key, when the feature files are known; else the 1-fps count int(duration). */
  featureFrames?: (videoKey: string) => number | undefined;
}

const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/**
 * The question text of one turn. The training layout of MC options is not published (notes §1), so
 * options follow the question one per line, lettered "A. …" unless they already carry a letter.
 */
export function questionText(qa: QaRecord): string {
  const q = qa.question.replaceAll(IMAGE_TOKEN, "").trim();
  if (qa.question_type !== "MC" || !qa.options?.length) return q;
  const opts = qa.options.map((o, i) => (/^\(?[A-Z][).:]\s/.test(o.trim()) ? o.trim() : `${LETTERS[i]}. ${o.trim()}`));
  return `${q}\n${opts.join("\n")}`;
}

/** The samples of one video (all QAs must share the video key). */
export function groupVideo(qas: readonly QaRecord[], opts: GroupOptions = {}): ConversationRecord[] {
  if (qas.length === 0) return [];
  const key = videoKey(qas[0]);
  for (const q of qas) if (videoKey(q) !== key) throw new Error(`groupVideo: QA for ${videoKey(q)} mixed into video ${key}`);
  const max = opts.maxPerSample ?? MAX_QA_PER_SAMPLE;
  if (!Number.isInteger(max) || max < 1) throw new Error(`group: max QA per sample must be a positive integer, got ${max}`);
  const form = opts.form ?? "rendered";
  const duration = qas.reduce<number | undefined>((d, q) => (q.duration !== undefined ? Math.max(d ?? 0, q.duration) : d), undefined);
  let prefix = "";
  if (form === "rendered") {
    if (duration === undefined)
      throw new Error(`group: video ${key} has no duration; the time instruction needs it (use the "official" form to leave it to the loader)`);
    const n = videoMarathonFrameCount(duration, opts.featureFrames?.(key));
    prefix = `${IMAGE_TOKEN}\n${timeInstruction(duration, n)}\n`;
  }
  const order = shuffleInPlace(
    qas.map((_, i) => i),
    mulberry32(hash32(`${opts.seed ?? 0}\u0000${key}`)),
  );
  const out: ConversationRecord[] = [];
  for (let s = 0; s * max < order.length; s++) {
    const chunk = order.slice(s * max, (s + 1) * max).map((i) => qas[i]);
    const conversations: ConversationTurn[] = [];
    chunk.forEach((qa, t) => {
      conversations.push({ from: "human", value: (t === 0 ? prefix : "") + questionText(qa) });
      conversations.push({ from: "gpt", value: qa.answer });
    });
    const rec: ConversationRecord = { id: `${key}#${s}`, video: qas[0].video, data_source: qas[0].data_source, conversations };
    if (duration !== undefined) rec.duration = duration;
    rec.tasks = chunk.map((q) => q.task);
    out.push(rec);
  }
  return out;
}

/** Groups QA records held in memory; videos come out in key order. */
export function groupRecords(qas: Iterable<QaRecord>, opts: GroupOptions = {}): ConversationRecord[] {
  const byVideo = new Map<string, QaRecord[]>();
  for (const q of qas) {
    const k = videoKey(q);
    let list = byVideo.get(k);
    if (!list) byVideo.set(k, (list = []));
    list.push(q);
  }
  const out: ConversationRecord[] = [];
  for (const k of [...byVideo.keys()].sort()) out.push(...groupVideo(byVideo.get(k)!, opts));
  return out;
}

export interface GroupFileOptions extends GroupOptions, ValidatorOptions {
  /** Temporary buckets the QAs are spread over by video, so only one bucket is in memory at a time. */
  partitions?: number;
  onRecord?: () => void;
}

export interface GroupFileResult {
  qa: number;
  videos: number;
  samples: number;
  /** Conversation records in the input, copied through unchanged. */
  passedThrough: number;
  rejected: number;
}

/**
 * Streams `input` (any supported format), validates it, and writes grouped samples as JSON lines to
 * `output` (temp file, then rename). QAs are bucketed by video into temp files first, so memory holds
 * one bucket (≈ total / partitions), whatever the input order.
 */
export async function groupFile(input: string, output: string, opts: GroupFileOptions = {}): Promise<GroupFileResult> {
  const partitions = opts.partitions ?? 64;
  mkdirSync(dirname(output) || ".", { recursive: true });
  const work = mkdtempSync(join(dirname(output) || ".", `.${basename(output)}.parts-`));
  const tmpOut = tempPathFor(output);
  const validator = new Validator(opts);
  const res: GroupFileResult = { qa: 0, videos: 0, samples: 0, passedThrough: 0, rejected: 0 };
  let fd = -1;
  try {
    fd = openSync(tmpOut, "wx");
    const bufs: string[][] = Array.from({ length: partitions }, () => []);
    const sizes = new Array<number>(partitions).fill(0);
    const flush = (p: number) => {
      if (bufs[p].length) appendFileSync(join(work, `${p}.jsonl`), bufs[p].join(""));
      bufs[p] = [];
      sizes[p] = 0;
    };
    for await (const item of readRecords(input)) {
      opts.onRecord?.();
      const r = validator.check(item);
      if (!r) continue;
      if (isConversationRecord(r)) {
        writeSync(fd, JSON.stringify(r) + "\n");
        res.passedThrough++;
        continue;
      }
      res.qa++;
      const p = hash32(videoKey(r)) % partitions;
      const line = JSON.stringify(r) + "\n";
      bufs[p].push(line);
      sizes[p] += line.length;
      if (sizes[p] > 1 << 20) flush(p);
    }
    for (let p = 0; p < partitions; p++) flush(p);
    for (let p = 0; p < partitions; p++) {
      const qas: QaRecord[] = [];
      let any = false;
      try {
        for await (const it of readJsonl(join(work, `${p}.jsonl`)) as AsyncGenerator<RawItem>) {
          any = true;
          qas.push(it.value as QaRecord);
        }
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      }
      if (!any) continue;
      const samples = groupRecords(qas, opts);
      res.videos += new Set(qas.map(videoKey)).size;
      res.samples += samples.length;
      const text = samples.map((s) => JSON.stringify(s)).join("\n");
      if (text) writeSync(fd, text + "\n");
    }
    closeSync(fd);
    fd = -1;
    res.rejected = validator.summary().rejected;
    commitTempFile(tmpOut, output);
    return res;
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    removeQuietly(tmpOut);
    throw e;
  } finally {
    removeQuietly(work);
  }
}
