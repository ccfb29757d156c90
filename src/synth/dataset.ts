// Many worlds → a train/eval split in the processed conversation format the official trainer reads
// ({id, video, data_source, conversations}), up to five QAs of one video per multi-turn record as in
// VideoMarathon, plus per-QA task metadata and a flat QA list for evaluation.
import { mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../io/atomic.ts";
import { Rng, hashString32 } from "./rng.ts";
import { generateWorld, MAX_DURATION_S, MIN_DURATION_S } from "./world.ts";
import { generateQuestions, type QaFormat, type SynthQuestion } from "./questions.ts";
import { writeWorldMp4 } from "./mp4.ts";

export const DATA_SOURCE = "synth";

export type Split = "train" | "eval";

export interface SynthDatasetOptions {
  seed: number;
  trainWorlds: number;
  evalWorlds: number;
  /** World lengths are drawn uniformly from [minDurationS, maxDurationS] (defaults 120 and 300). */
  minDurationS?: number;
  maxDurationS?: number;
  /** Questions per task per world (default 2). */
  perTask?: number;
  formats?: readonly QaFormat[];
  /** Only these tasks (taxonomy names; default all 22). */
  tasks?: readonly string[];
  /** QAs grouped into one multi-turn record (default 5, as in VideoMarathon). */
  qaPerSample?: number;
  /** Never put a question's open-ended and multiple-choice forms in one record (groupQuestions). */
  twinsApart?: boolean;
}

export interface SynthWorldSpec {
  id: string;
  split: Split;
  seed: number;
  durationS: number;
  /** Relative to the dataset folder's data_source sub-folder, as the official loader joins it. */
  video: string;
}

export interface Turn {
  from: "human" | "gpt";
  value: string;
}

export type SynthQaMeta = Pick<SynthQuestion, "id" | "task" | "topic" | "form" | "format" | "template" | "answer" | "answerText" | "span">;

export interface SynthRecord {
  id: string;
  video: string;
  data_source: typeof DATA_SOURCE;
  conversations: Turn[];
  /** One entry per human/gpt pair, in order. */
  qa: SynthQaMeta[];
  world: { seed: number; durationS: number };
}

export interface SynthFlatQa extends SynthQuestion {
  worldId: string;
  video: string;
  split: Split;
  durationS: number;
}

export interface SynthDataset {
  worlds: SynthWorldSpec[];
  train: SynthRecord[];
  eval: SynthRecord[];
  qa: SynthFlatQa[];
}

function need(name: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) {
    throw new Error(`synth dataset: ${name} must be an integer in [${lo}, ${hi}], got ${JSON.stringify(v)}`);
  }
  return v;
}

export function qaMeta({ id, task, topic, form, format, template, answer, answerText, span }: SynthQuestion): SynthQaMeta {
  return { id, task, topic, form, format, template, answer, answerText, span };
}

export function planWorlds(opts: SynthDatasetOptions): SynthWorldSpec[] {
  const seed = need("seed", opts.seed, 0, 0xffffffff);
  const nTrain = need("trainWorlds", opts.trainWorlds, 0, 1_000_000);
  const nEval = need("evalWorlds", opts.evalWorlds, 0, 1_000_000);
  if (nTrain + nEval === 0) throw new Error("synth dataset: trainWorlds + evalWorlds must be at least 1");
  const lo = need("minDurationS", opts.minDurationS ?? 120, MIN_DURATION_S, MAX_DURATION_S);
  const hi = need("maxDurationS", opts.maxDurationS ?? Math.max(lo, 300), lo, MAX_DURATION_S);
  const rng = new Rng(`dataset:${seed}`);
  const out: SynthWorldSpec[] = [];
  const width = String(nTrain + nEval - 1).length;
  for (let i = 0; i < nTrain + nEval; i++) {
    const id = `synth-${seed}-${String(i).padStart(width, "0")}`;
    out.push({ id, split: i < nTrain ? "train" : "eval", seed: hashString32(`dataset:${seed}:world:${i}`), durationS: rng.int(lo, hi), video: `${id}.mp4` });
  }
  return out;
}

export function buildSynthDataset(opts: SynthDatasetOptions): SynthDataset {
  const worlds = planWorlds(opts);
  const perSample = need("qaPerSample", opts.qaPerSample ?? 5, 1, 64);
  const ds: SynthDataset = { worlds, train: [], eval: [], qa: [] };
  for (const spec of worlds) {
    const world = generateWorld({ seed: spec.seed, durationS: spec.durationS });
    const qs = generateQuestions(world, { perTask: opts.perTask, formats: opts.formats, tasks: opts.tasks });
    for (const q of qs) ds.qa.push({ ...q, worldId: spec.id, video: spec.video, split: spec.split, durationS: spec.durationS });
    // How the official data groups QAs is not documented; random groups mix tasks within a record.
    const order = new Rng(`group:${spec.id}:${spec.seed}`).shuffle(qs);
    groupQuestions(order, perSample, opts.twinsApart ?? false).forEach((group, k) => {
      const conversations: Turn[] = [];
      group.forEach((q, i) => {
        conversations.push({ from: "human", value: i === 0 ? `<image>\n${q.question}` : q.question });
        conversations.push({ from: "gpt", value: q.answer });
      });
      const rec: SynthRecord = {
        id: `${spec.id}-${k}`,
        video: spec.video,
        data_source: DATA_SOURCE,
        conversations,
        qa: group.map(qaMeta),
        world: { seed: spec.seed, durationS: spec.durationS },
      };
      ds[spec.split].push(rec);
    });
  }
  return ds;
}

/** The draft a QA was made from: its open-ended and multiple-choice forms ("…-open", "…-mc") share it. */
export function draftId(qaId: string): string {
  return qaId.replace(/-(open|mc)$/, "");
}

/** Consecutive groups of `per`, or with `twinsApart` groups in which no draft appears twice. With both forms in
 * one conversation the second is answerable from the first by text alone (the letter of the option that says
 * the earlier answer, or the text of the earlier option letter), a shortcut a single question at inference
 * never offers; a frame's 16 questions in one record held every such pair. Order is kept otherwise: a twin
 * waits for the next group. */
export function groupQuestions<T extends { id: string }>(qs: readonly T[], per: number, twinsApart: boolean): T[][] {
  const groups: T[][] = [];
  if (!twinsApart) {
    for (let k = 0; k * per < qs.length; k++) groups.push(qs.slice(k * per, (k + 1) * per));
    return groups;
  }
  let rest = [...qs];
  while (rest.length) {
    const group: T[] = [];
    const drafts = new Set<string>();
    const later: T[] = [];
    for (const q of rest) {
      const d = draftId(q.id);
      if (group.length < per && !drafts.has(d)) {
        group.push(q);
        drafts.add(d);
      } else later.push(q);
    }
    groups.push(group);
    rest = later;
  }
  return groups;
}

export interface WriteDatasetOptions {
  /** Also render every world's mp4 under <dir>/synth/ (skipped for files already there: complete by construction). */
  video?: { width: number; height: number; fps?: number };
  onProgress?: (p: { stage: "video"; done: number; total: number; id: string }) => void;
}

/** Writes train.json, eval.json, qa.jsonl and worlds.json (each atomically), and optionally the videos. */
export async function writeSynthDataset(dir: string, ds: SynthDataset, opts: WriteDatasetOptions = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  if (opts.video) {
    const vdir = join(dir, DATA_SOURCE);
    await mkdir(vdir, { recursive: true });
    let done = 0;
    for (const spec of ds.worlds) {
      const path = join(vdir, spec.video);
      const exists = await stat(path).then(
        (s) => s.isFile() && s.size > 0,
        () => false,
      );
      if (!exists) await writeWorldMp4(generateWorld({ seed: spec.seed, durationS: spec.durationS }), path, opts.video);
      opts.onProgress?.({ stage: "video", done: ++done, total: ds.worlds.length, id: spec.id });
    }
  }
  writeFileAtomic(join(dir, "worlds.json"), JSON.stringify(ds.worlds, null, 1));
  writeFileAtomic(join(dir, "train.json"), JSON.stringify(ds.train));
  writeFileAtomic(join(dir, "eval.json"), JSON.stringify(ds.eval));
  writeFileAtomic(join(dir, "qa.jsonl"), ds.qa.map((q) => JSON.stringify(q)).join("\n") + (ds.qa.length ? "\n" : ""));
}
