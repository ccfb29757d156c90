// Single-frame records (stage 1's stand-in for image-text data): frames drawn from many worlds, each with up
// to five QA turns about what that frame shows, in the same conversation format as the video records.
import { groupQuestions, planWorlds, qaMeta, type SynthQaMeta, type Turn } from "./dataset.ts";
import { frameQuestions } from "./q-frame.ts";
import type { QaFormat } from "./questions.ts";
import { Rng } from "./rng.ts";
import { generateWorld } from "./world.ts";

export interface FrameRecord {
  id: string;
  /** The world and the second of it the frame shows. */
  world: { seed: number; durationS: number };
  t: number;
  conversations: Turn[];
  qa: SynthQaMeta[];
}

export interface FrameDatasetOptions {
  seed: number;
  worlds: number;
  minDurationS: number;
  maxDurationS: number;
  framesPerWorld: number;
  formats?: readonly QaFormat[];
  /** QA turns per record (default 5, like the video records). */
  qaPerSample?: number;
  /** Never put a question's two forms in one record (dataset.ts groupQuestions). */
  twinsApart?: boolean;
}

export function buildFrameRecords(o: FrameDatasetOptions): FrameRecord[] {
  const specs = planWorlds({ seed: o.seed, trainWorlds: o.worlds, evalWorlds: 0, minDurationS: o.minDurationS, maxDurationS: o.maxDurationS });
  const out: FrameRecord[] = [];
  for (const spec of specs) {
    const world = generateWorld({ seed: spec.seed, durationS: spec.durationS });
    const rng = new Rng(`frames:${spec.id}:${spec.seed}`);
    const times = rng.sample(
      Array.from({ length: spec.durationS }, (_, i) => i),
      Math.min(o.framesPerWorld, spec.durationS),
    );
    for (const t of times) {
      const qs = frameQuestions(world, t, { formats: o.formats });
      groupQuestions(qs, o.qaPerSample ?? 5, o.twinsApart ?? false).forEach((group, k) => {
        out.push({
          id: `${spec.id}-t${t}-${k}`,
          world: { seed: spec.seed, durationS: spec.durationS },
          t,
          conversations: group.flatMap((q): Turn[] => [
            { from: "human", value: q.question },
            { from: "gpt", value: q.answer },
          ]),
          qa: group.map(qaMeta),
        });
      });
    }
  }
  return out;
}
