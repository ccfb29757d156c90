// Writes samples/demo.mp4 (a held-out procedural world, 150 s at 1 fps, 64×64 like the training renders) and samples/demo.json with
// its ground-truth questions, so the README's first command has a video whose answers are known.
import { writeFileSync } from "node:fs";
import { generateWorld } from "../src/synth/world.ts";
import { writeWorldMp4 } from "../src/synth/mp4.ts";
import { generateQuestions } from "../src/synth/questions.ts";

const seed = 424242;
const durationS = 150;
const world = generateWorld({ seed, durationS });
await writeWorldMp4(world, "samples/demo.mp4", { width: 64, height: 64, fps: 1, crf: 12 });
const qs = generateQuestions(world, { seed, perTask: 1, formats: ["open"] }).map((q) => ({ task: q.task, question: q.question, answer: q.answer }));
writeFileSync("samples/demo.json", JSON.stringify({ seed, durationS, questions: qs }, null, 2) + "\n");
console.log(`samples/demo.mp4: ${durationS} s, ${qs.length} questions with answers in samples/demo.json`);
