import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./tmp.ts";
import { QWEN2_SPECIAL_TOKENS, qwen2TokenizerConfig, trainByteLevelBpe } from "../../src/io/bpe-trainer.ts";
import { BYTE_TO_SYMBOL } from "../../src/io/byte-level.ts";
import { IMAGE_TOKEN_INDEX, loadTokenizer, tokenizerFromJson } from "../../src/io/tokenizer.ts";
import { tinyCorpus } from "./corpus.ts";

test("byte-level alphabet matches GPT-2/Qwen2 ids: '!'=0, '\\n'→Ċ=198, ' '→Ġ=220", () => {
  const j = trainByteLevelBpe("", { vocabSize: 260, minFrequency: 2 });
  assert.equal(j.model.vocab["!"], 0);
  assert.equal(j.model.vocab["Ċ"], 198);
  assert.equal(j.model.vocab["Ġ"], 220);
  assert.equal(j.model.vocab["Ā"], 188); // byte 0
  assert.equal(BYTE_TO_SYMBOL[10], "Ċ");
  assert.equal(BYTE_TO_SYMBOL[0xad], "Ń"); // the soft hyphen is not printable: 256 + 66
  assert.equal(Object.keys(j.model.vocab).length, 256);
  assert.deepEqual(
    j.added_tokens.map((t) => [t.id, t.content, t.special, t.normalized]),
    [
      [256, "<|endoftext|>", true, false],
      [257, "<|im_start|>", true, false],
      [258, "<|im_end|>", true, false],
      [259, "<image>", true, false],
    ],
  );
});

test("trainer: greedy most-frequent-pair merges, hand-derived on tiny corpora", () => {
  // pre-tokens "ab", " ab", " ab", " abc": (a,b)×4 then (Ġ,ab)×3, then (ab,c)×1 < minFrequency
  const j = trainByteLevelBpe("ab ab ab abc", { vocabSize: 300 });
  assert.deepEqual(j.model.merges, ["a b", "Ġ ab"]);
  assert.equal(j.model.vocab["ab"], 256);
  assert.equal(j.model.vocab["Ġab"], 257);
  assert.equal(j.added_tokens[0].id, 258);
  // ties go to the lowest ids: x=87,y=88 before z=89,w=86 before Ġ=220
  const t = trainByteLevelBpe("xy zw", { vocabSize: 300, minFrequency: 1 });
  assert.deepEqual(t.model.merges, ["x y", "z w", "Ġ zw"]);
  // the target vocabulary size (specials included) caps the merges
  const c = trainByteLevelBpe(tinyCorpus(), { vocabSize: 300 });
  assert.equal(c.model.merges.length, 300 - 256 - 4);
  assert.equal(c.added_tokens.at(-1)!.id, 299);
  // specials in the corpus are never learned as pieces
  assert.equal(
    Object.keys(c.model.vocab).some((k) => k.includes("im_") || k.includes("<|") || k.includes("age>")),
    false,
  );
  assert.throws(() => trainByteLevelBpe("x", { vocabSize: 100 }), /vocabSize 100 is too small: it must hold the 256 byte symbols plus 4 special tokens/);
});

test("trained tokenizer.json loads in @huggingface/tokenizers: round trips, specials are single ids", () => {
  const j = trainByteLevelBpe(tinyCorpus(), { vocabSize: 400 });
  const d = tempDir("io-tok-");
  writeFileSync(join(d, "tokenizer.json"), JSON.stringify(j));
  writeFileSync(join(d, "tokenizer_config.json"), JSON.stringify(qwen2TokenizerConfig(j)));
  const tok = loadTokenizer(d);
  assert.equal(tok.vocabSize, 400);
  assert.equal(tok.eosToken, "<|im_end|>");
  assert.deepEqual(tok.specialTokens.sort(), [...QWEN2_SPECIAL_TOKENS].sort());
  const texts = [
    "The chef adds the onions to the pan.",
    "naïve café — 東京タワー 😀🎬 don't WE'LL ü",
    "  two  spaces\n\n\ttab and trailing ",
    "<|im_start|>user\n<image>\nWhat did the chef add?<|im_end|>\n",
    "x<image>y<|endoftext|>z<imag e>",
    "",
  ];
  for (const s of texts) assert.equal(tok.decode(tok.encode(s)), s, JSON.stringify(s));
  // learned merges are used: common words become single tokens
  assert.deepEqual(tok.encode(" chef").length, 1);
  assert.deepEqual(
    tok.encode("The chef adds the onions.").map((i) => tok.idToToken(i)),
    ["The", "Ġchef", "Ġadds", "Ġthe", "Ġon", "ions", "."],
  );
  // NFC normalisation: a decomposed é comes back composed
  assert.equal(tok.decode(tok.encode("cafe\u0301")), "caf\u00e9");
  // specials are one id each, never split, and only exact matches count
  for (const [i, s] of QWEN2_SPECIAL_TOKENS.entries()) {
    assert.deepEqual(tok.encode(s), [396 + i]);
    assert.equal(tok.tokenId(s), 396 + i);
    assert.ok(tok.isSpecial(396 + i));
  }
  const ids = tok.encode("see<image>now");
  assert.equal(ids.filter((x) => x === tok.imageTokenId).length, 1);
  assert.equal(tok.encode("<imag>").includes(tok.imageTokenId), false);
  assert.deepEqual(tok.encode("\n"), [198]);
  assert.equal(tok.decode(tok.encode("<|im_start|>hi<|im_end|>"), { skipSpecial: true }), "hi");
  assert.equal(tok.decode([IMAGE_TOKEN_INDEX, ...tok.encode(" ok")]), "<image> ok");
  assert.equal(tok.decode([]), "");
  assert.throws(() => tok.tokenId("<|fim_prefix|>"), /tokenizer\.json: token "<\|fim_prefix\|>" is not in the vocabulary/);
  assert.throws(() => tok.decode([400]), /token id 400 is outside the vocabulary \(size 400\)/);
  assert.equal(tok.idToToken(198), "Ċ");
});

test("<image> is added as a special token when tokenizer.json lacks it (as the official add_tokens does)", () => {
  const j = trainByteLevelBpe(tinyCorpus(), { vocabSize: 400, specialTokens: ["<|endoftext|>", "<|im_start|>", "<|im_end|>"] });
  assert.equal(j.added_tokens.length, 3);
  const tok = tokenizerFromJson(j, {});
  assert.equal(tok.imageTokenId, 400);
  assert.equal(tok.vocabSize, 401);
  assert.deepEqual(tok.encode("<image>"), [400]);
  assert.deepEqual(
    tok.encode("a\n<image>\nb").filter((x) => x === 400),
    [400],
  );
  assert.ok(tok.isSpecial(400));
  assert.equal(j.added_tokens.length, 3, "the caller's json is not modified");
});

test("missing or broken tokenizer files give clear errors", () => {
  const d = tempDir("io-tok-");
  assert.throws(
    () => loadTokenizer(d),
    /^Error: no tokenizer\.json in .*: put the model's tokenizer\.json \(and tokenizer_config\.json\) there, e\.g\. from jylins\/hourllava-qwen25-3b-s3$/,
  );
  writeFileSync(join(d, "tokenizer.json"), "{");
  assert.throws(() => loadTokenizer(d), /tokenizer\.json: cannot read: /);
  writeFileSync(join(d, "tokenizer.json"), JSON.stringify({ added_tokens: [] }));
  assert.throws(() => loadTokenizer(d), /tokenizer\.json: tokenizer\.json has no "model" object/);
});
