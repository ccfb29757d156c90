// One training sample for the micro model: a few frames of smooth pixels and one QA turn, with the tokenizer
// trained on its words. Shared by the tests that compare training with inference or with finite differences.
import { trainByteLevelBpe } from "../../src/io/bpe-trainer.ts";
import { parseHourLlavaConfig } from "../../src/io/config.ts";
import { tokenizerFromJson } from "../../src/io/tokenizer.ts";
import { microConfig } from "./micro-config.ts";

export function microSample(T = 3) {
  const config = parseHourLlavaConfig(microConfig({ vocab_size: 300 }), "micro");
  const tok = tokenizerFromJson(trainByteLevelBpe("what colour is the square? the square is red. blue green", { vocabSize: 300 }));
  const S = config.vision.image_size;
  const sample = {
    pixels: new Float32Array(T * 3 * S * S).map((_, i) => Math.cos(i * 0.13)),
    frames: T,
    durationS: T,
    turns: [
      { role: "user" as const, content: "what colour is the square?" },
      { role: "assistant" as const, content: "the square is red." },
    ],
  };
  return { config, tok, sample, T };
}
