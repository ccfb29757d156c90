// A small deterministic training corpus for the tokenizer tests: chat-formatted video QA with the
// frequent pieces (".\n", "?\n", common words) that a real tokenizer would have merged.
export function tinyCorpus(): string {
  const objects = ["onions", "garlic", "the red ball", "a knife", "the blue cup", "carrots"];
  const actions = ["adds", "cuts", "moves", "drops", "washes", "picks up"];
  const out: string[] = [];
  for (let i = 0; i < 60; i++) {
    const o = objects[i % objects.length];
    const a = actions[(i * 5) % actions.length];
    out.push(
      `<|im_start|>user\n<image>\nThe video lasts for ${100 + i}.50 seconds, and ${128 + i} frames are uniformly sampled from it. Please answer the following questions related to this video.\n` +
        `What does the chef do with ${o}?\nA. ${a}\nB. nothing<|im_end|>\n<|im_start|>assistant\nThe chef ${a} ${o}.\n<|im_end|>\n`,
    );
  }
  out.push("naïve café — 東京タワー 😀🎬 don't WE'LL ü\tand so on.\n");
  return out.join("");
}
