// The official `qwen_1_5` conversation template (ChatML with the default system prompt) and the
// training-time tokenization with label masking of `preprocess_qwen` (notes §4.2, §4.3).
import { IMAGE_TOKEN, IMAGE_TOKEN_INDEX, type TextTokenizer } from "./tokenizer-core.ts";

export { IMAGE_TOKEN, IMAGE_TOKEN_INDEX } from "./tokenizer-core.ts";
export const IGNORE_INDEX = -100;
export const DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant.";

export type ChatRole = "user" | "assistant";
/** A turn as {role, content}, or as a LLaVA / VideoMarathon record turn {from: "human"|"gpt", value}. */
export type ChatTurnInput = { role: ChatRole; content: string } | { from: "human" | "gpt"; value: string };
export interface ChatTurn {
  role: ChatRole;
  content: string;
}

export interface ConversationOptions {
  /** Attach a video: the first user turn becomes "<image>\n" + time instruction + "\n" + question. */
  video?: { duration: number; nFrames: number };
  /** Attach an image instead: the first user turn becomes "<image>\n" + question (the official image samples,
   * whose loader moves <image> to the front; no time instruction). */
  image?: boolean;
  addGenerationPrompt?: boolean;
  system?: string;
  /**
   * Inference (ask, chat, serve): turn contents are a user's text, kept verbatim and tokenized as plain text, so
   * "<|im_end|>" or "<image>" typed in a question can neither forge a turn nor a video; only the template makes
   * special tokens. Training data keeps the official loader's behaviour (<image> stripped from the question).
   */
  untrustedText?: boolean;
  /**
   * Which tokens get labels. "official" (default): `preprocess_qwen`'s masking, which also supervises every
   * "\n", <|im_start|> and <|im_end|> of the conversation and each assistant header. "answers": only each
   * assistant turn's content and its <|im_end|>, so a small model's loss is not mostly template tokens. The ids
   * are the same either way.
   */
  supervise?: Supervision;
}

export type Supervision = "official" | "answers";

/** A prepared turn split into the template-owned lead ("<image>\n{time instruction}\n") and its content. */
interface Block {
  role: ChatRole;
  lead: string;
  content: string;
}

/**
 * Python's `f"{x:.2f}"`. Both Python and `toFixed` round the exact binary value; they differ only on
 * exact ties (x·8 an odd integer, e.g. 0.125 or 2.625), where Python rounds half to even and toFixed
 * rounds half away from zero. Ties are resolved the Python way here.
 */
export function formatFixed2(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? "inf" : x < 0 ? "-inf" : "nan";
  const s = x.toFixed(2);
  const e = Math.abs(x) * 8;
  if (Math.abs(x) < 2 ** 45 && Number.isInteger(e) && e % 2 === 1) {
    // |x|·100 = e·12.5 is exact here; the tie sits between floor and floor+1.
    const lo = Math.floor(Math.abs(x) * 100);
    const n = lo % 2 === 0 ? lo : lo + 1;
    const digits = String(n).padStart(3, "0");
    return `${x < 0 ? "-" : ""}${digits.slice(0, -2)}.${digits.slice(-2)}`;
  }
  return s;
}

/** The time instruction's second sentence. */
export const ANSWER_ABOUT_VIDEO = "Please answer the following questions related to this video.";

/** The time instruction's first sentence: the video's length and how many frames were sampled. */
export function videoLengthSentence(durationS: number, nFrames: number): string {
  if (!Number.isInteger(nFrames) || nFrames < 0) throw new Error(`time instruction: frame count must be a non-negative integer, got ${nFrames}`);
  return `The video lasts for ${formatFixed2(durationS)} seconds, and ${nFrames} frames are uniformly sampled from it.`;
}

/** The streaming loader's time instruction (notes §4.2), e.g. for 1234.56 s and 1234 frames. */
export function timeInstruction(durationS: number, nFrames: number): string {
  return `${videoLengthSentence(durationS, nFrames)} ${ANSWER_ABOUT_VIDEO}`;
}

/**
 * Normalises turns like the official loader: human→user, gpt→assistant; a conversation that does not
 * start with a user turn loses its first turn; with a video the first user turn is rebuilt as
 * "<image>\n{time instruction}\n{question with any <image> removed}" (no whitespace stripping, as the official code;
 * with `untrustedText` the question is kept verbatim).
 */
export function prepareTurns(turns: readonly ChatTurnInput[], opts: ConversationOptions = {}): ChatTurn[] {
  return prepareBlocks(turns, opts).map((b) => ({ role: b.role, content: b.lead + b.content }));
}

function prepareBlocks(turns: readonly ChatTurnInput[], opts: ConversationOptions): Block[] {
  let out: ChatTurn[] = turns.map((t, i) => {
    if ("role" in t) {
      if (t.role !== "user" && t.role !== "assistant")
        throw new Error(`conversation turn ${i}: role must be "user" or "assistant", got ${JSON.stringify(t.role)}`);
      if (typeof t.content !== "string") throw new Error(`conversation turn ${i}: content must be a string`);
      return { role: t.role, content: t.content };
    }
    if (t.from !== "human" && t.from !== "gpt") throw new Error(`conversation turn ${i}: "from" must be "human" or "gpt", got ${JSON.stringify(t.from)}`);
    if (typeof t.value !== "string") throw new Error(`conversation turn ${i}: value must be a string`);
    return { role: t.from === "human" ? "user" : "assistant", content: t.value };
  });
  if (out.length > 0 && out[0].role !== "user") out = out.slice(1);
  out.forEach((t, i) => {
    const want = i % 2 === 0 ? "user" : "assistant";
    if (t.role !== want) throw new Error(`conversation turn ${i}: expected a ${want} turn (turns alternate user/assistant), got ${t.role}`);
  });
  const blocks: Block[] = out.map((t) => ({ role: t.role, lead: "", content: t.content }));
  if (opts.video && opts.image) throw new Error("a conversation carries a video or an image, not both");
  if (opts.video || opts.image) {
    if (blocks.length === 0) throw new Error(`conversation has no user turn to attach the ${opts.video ? "video" : "image"} to`);
    blocks[0].lead = opts.video ? `${IMAGE_TOKEN}\n${timeInstruction(opts.video.duration, opts.video.nFrames)}\n` : `${IMAGE_TOKEN}\n`;
    if (!opts.untrustedText) {
      blocks[0].content = blocks[0].content.replaceAll(IMAGE_TOKEN, "");
      blocks.forEach((t, i) => {
        if (i > 0 && t.content.includes(IMAGE_TOKEN))
          throw new Error(`conversation turn ${i} contains ${IMAGE_TOKEN}: only the first user turn may carry the video`);
      });
    }
  }
  return blocks;
}

const turnText = (role: string, content: string) => `<|im_start|>${role}\n${content}<|im_end|>\n`;
const GENERATION_PROMPT = "<|im_start|>assistant\n";

/** The prompt text: system block, one block per turn, and the generation prompt when asked. */
export function renderConversation(turns: readonly ChatTurnInput[], opts: ConversationOptions = {}): string {
  const prepared = prepareTurns(turns, opts);
  let s = turnText("system", opts.system ?? DEFAULT_SYSTEM_PROMPT);
  for (const t of prepared) s += turnText(t.role, t.content);
  if (opts.addGenerationPrompt) s += GENERATION_PROMPT;
  return s;
}

/**
 * Token ids and labels as `preprocess_qwen` builds them: each block is tokenized on its own; system and
 * user blocks are IGNORE_INDEX, assistant blocks (header and trailing "<|im_end|>\n" included) are their
 * ids; then the ids of "\n" (198 in Qwen's vocabulary), <|im_start|> and <|im_end|> are un-masked
 * everywhere, and <image> becomes IMAGE_TOKEN_INDEX in `ids`. Only a token that is exactly "\n" counts:
 * a newline merged into a bigger token (e.g. "?\n") stays masked, as in the official code.
 */
export function tokenizeConversation(
  tokenizer: TextTokenizer,
  turns: readonly ChatTurnInput[],
  opts: ConversationOptions = {},
): { ids: number[]; labels: number[] } {
  const prepared = prepareBlocks(turns, opts);
  const nl = tokenizer.encode("\n");
  if (nl.length !== 1) throw new Error(`${tokenizer.source}: "\\n" must encode to one token, got ${nl.length}`);
  const unmask = new Set([nl[0], tokenizer.tokenId("<|im_start|>"), tokenizer.tokenId("<|im_end|>")]);
  const ids: number[] = [];
  const labels: number[] = [];
  const pushIds = (t: number[], supervised: boolean) => {
    ids.push(...t);
    for (const id of t) labels.push(supervised ? id : IGNORE_INDEX);
  };
  const push = (text: string, supervised: boolean) => pushIds(tokenizer.encode(text), supervised);
  const answersOnly = (opts.supervise ?? "official") === "answers";
  const header = answersOnly ? tokenizer.encode(GENERATION_PROMPT) : [];
  // Text naming no special token is one block, as the official code tokenizes it; otherwise (untrusted text) the
  // content is encoded on its own as plain text between the template's pieces.
  const pushTurn = (role: string, lead: string, content: string, supervised: boolean) => {
    if (opts.untrustedText && tokenizer.specialTokens.some((sp) => content.includes(sp))) {
      const [head, tail] = turnText(role, `${lead}\u0000`).split("\u0000");
      push(head, supervised);
      pushIds(tokenizer.encodePlain(content), supervised);
      push(tail, supervised);
    } else push(turnText(role, lead + content), supervised);
  };
  pushTurn("system", "", opts.system ?? DEFAULT_SYSTEM_PROMPT, false);
  for (const t of prepared) {
    const supervised = t.role === "assistant";
    const start = ids.length;
    pushTurn(t.role, t.lead, t.content, supervised);
    if (supervised && answersOnly) maskAnswerFrame(ids, labels, start, header, nl[0]);
  }
  if (opts.addGenerationPrompt) push(GENERATION_PROMPT, false);
  for (let i = 0; i < ids.length; i++) {
    if (!answersOnly && unmask.has(ids[i])) labels[i] = ids[i];
    if (ids[i] === tokenizer.imageTokenId) ids[i] = IMAGE_TOKEN_INDEX;
  }
  return { ids, labels };
}

/** Supervision "answers": an assistant block starting at `start` keeps labels on its content and <|im_end|> only;
 * its header ("<|im_start|>assistant\n") and the block's closing "\n" are masked. */
function maskAnswerFrame(ids: number[], labels: number[], start: number, header: number[], nl: number): void {
  if (!header.every((id, k) => ids[start + k] === id)) throw new Error("an assistant block does not start with the assistant header's tokens");
  for (let k = 0; k < header.length; k++) labels[start + k] = IGNORE_INDEX;
  if (ids.at(-1) === nl) labels[ids.length - 1] = IGNORE_INDEX;
}
