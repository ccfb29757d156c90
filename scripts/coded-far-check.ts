// Whether the coded-drill skill (a sign's option picked by letter) survives distance and a frame in front: 100 held-out
// coded drills asked as they are, with about 60 tokens of a sentence no drill uses between the sign and the
// question, and behind one frame of a procedural world (docs/training.md, issue 23).
//   node --import tsx scripts/coded-far-check.ts models/experiments/tiny-lang-coded-far 100
import { loadHourLlava } from "../src/model/load/load.ts";
import { loadTokenizer } from "../src/io/tokenizer.ts";
import { readGenerationConfig, endTokenIds } from "../src/io/generation-config.ts";
import { answer, answerSettings } from "../src/model/generate/answer.ts";
import { drillSet } from "../src/train/drill-sets.ts";
import { renderWorldFrames } from "../src/synth/model-frames.ts";
const dir = process.argv[2];
const n = Number(process.argv[3] ?? 120);
const { model } = loadHourLlava(dir);
const tok = loadTokenizer(dir);
const gen = readGenerationConfig(dir);
const s = answerSettings(model, gen, endTokenIds(model.config.eos_token_id, gen, tok), { maxNewTokens: 4, seed: 1 });
const drills = drillSet("coded", n, 99991);
const { tokens } = await model.encodeFrames(renderWorldFrames(77, 30, 64, model.config.vision.image_size, [5]), 1);
const frame = { memory: model.buildMemory(tokens, 1), durationS: 1, frames: 1 };
const filler = " The picture shows several shapes in a scene, and they may move or change colour while the video plays.".repeat(3);
const score: Record<string, number> = { near: 0, far: 0, frame: 0 };
const ask = async (video: Parameters<typeof answer>[2], text: string) => (await answer(model, tok, video, [{ role: "user", content: text }], s)).text.trim();
for (const [q, a] of drills) {
  const far = q.value.replace(/^(The sign is [^.]+\.)/, `$1${filler}`);
  if ((await ask(undefined, q.value)) === a.value) score.near++;
  if ((await ask(undefined, far)) === a.value) score.far++;
  if ((await ask(frame, q.value)) === a.value) score.frame++;
}
console.log(dir, n, score);
