// Synthetic VideoMarathon-like QA rows with the paper's proportions (sources, durations, events,
// ~118 QA per video, OE ≈ 52%) and realistic text lengths, for benchmarks and chart checks.
import { createWriteStream } from "node:fs";
import { TASKS } from "../../src/data/taxonomy.ts";
import { mulberry32 } from "../../src/util/prng.ts";
import type { QaRecord } from "../../src/data/record.ts";

const SOURCES: [QaRecord["data_source"], number][] = [
  ["panda", 0.623],
  ["ego4d", 0.213],
  ["activitynet", 0.082],
  ["youcook2", 0.055],
  ["moviechat", 0.027],
];
// Videos per 5-min bin, read off the paper's histogram (notes §2).
const DURATION_BINS = [3950, 4880, 3380, 3070, 3070, 2760, 2060, 1050, 870, 1300, 1030, 410];
const EVENT_BINS = [5000, 11100, 5400, 2300, 1400, 1150, 750, 450, 250, 120, 50, 20, 10];
const WORDS =
  "the a person kitchen dough table slowly then camera scene red blue bowl knife walks picks places after before while during video shows man woman car road tree water".split(
    " ",
  );

function pick<T>(rand: () => number, weighted: [T, number][]): T {
  const total = weighted.reduce((a, [, w]) => a + w, 0);
  let x = rand() * total;
  for (const [v, w] of weighted) if ((x -= w) < 0) return v;
  return weighted[weighted.length - 1][0];
}

function sentence(rand: () => number, chars: number): string {
  const out: string[] = [];
  let n = 0;
  while (n < chars) {
    const w = WORDS[Math.floor(rand() * WORDS.length)];
    out.push(w);
    n += w.length + 1;
  }
  return out.join(" ");
}

export function* syntheticQa(total: number, seed = 1): Generator<QaRecord> {
  const rand = mulberry32(seed);
  let made = 0;
  for (let v = 0; made < total; v++) {
    const source = pick(rand, SOURCES);
    const bin = pick(
      rand,
      DURATION_BINS.map((w, i) => [i, w] as [number, number]),
    );
    const duration = Math.round(Math.max(180, (bin * 5 + rand() * 5) * 60) * 100) / 100;
    const events = Math.max(
      3,
      Math.floor(
        pick(
          rand,
          EVENT_BINS.map((w, i) => [i, w] as [number, number]),
        ) *
          5 +
          rand() * 5,
      ),
    );
    const perVideo = Math.min(total - made, 100 + Math.floor(rand() * 37));
    const video = `v${String(v).padStart(6, "0")}.mp4`;
    for (let k = 0; k < perVideo; k++, made++) {
      const task = TASKS[Math.floor(rand() * TASKS.length)];
      const mc = rand() < 0.476;
      const q = sentence(rand, 60 + Math.floor(rand() * 90)) + "?";
      const base = { id: `q${made}`, video, duration, task: task.name, topic: task.topic, question: q, events, data_source: source };
      if (mc) {
        const options = ["A", "B", "C", "D"].map((l) => `${l}. ${sentence(rand, 15 + Math.floor(rand() * 40))}`);
        yield { ...base, question_type: "MC", options, answer: options[Math.floor(rand() * 4)].slice(0, 1) };
      } else yield { ...base, question_type: "OE", answer: sentence(rand, task.name === "Overall Summarization" ? 1500 : 60 + Math.floor(rand() * 200)) + "." };
    }
  }
}

/** Writes `total` rows as JSON lines; resolves with the byte count. */
export async function writeSyntheticJsonl(path: string, total: number, seed = 1): Promise<number> {
  const out = createWriteStream(path);
  let bytes = 0;
  let buf: string[] = [];
  for (const r of syntheticQa(total, seed)) {
    const line = JSON.stringify(r) + "\n";
    bytes += Buffer.byteLength(line);
    buf.push(line);
    if (buf.length >= 2000) {
      if (!out.write(buf.join(""))) await new Promise<void>((res) => out.once("drain", () => res()));
      buf = [];
    }
  }
  out.write(buf.join(""));
  await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
  return bytes;
}
