// Option drills: a multiple-choice turn rewritten so that its question names the right option's text
// (`Which option is purple cave?` over the same options; unquoted, so the words are the options' tokens). The
// answer needs no video, only the text skill a pretrained LLM brings to Hour-LLaVA: finding the option that says something and giving its letter. A tiny
// LLM trained from scratch lacks it, and its multiple-choice answers collapse to one letter even where it gives
// the open-ended answer right.
import type { Turn } from "./dataset.ts";
import { LETTERS, MC_INSTRUCTION } from "./questions.ts";

/** The MC question's options ("A. text" lines) and the answer's text, or null when `question` is not one. */
export function parseMcTurn(question: string, letter: string): { stem: string; options: string[]; answerText: string } | null {
  const lines = question.split("\n");
  if (lines.at(-1) !== MC_INSTRUCTION) return null;
  const options = lines.slice(-1 - LETTERS.length, -1);
  if (!options.every((o, i) => o.startsWith(`${LETTERS[i]}. `))) return null;
  const k = LETTERS.indexOf(letter as (typeof LETTERS)[number]);
  if (k < 0) return null;
  return { stem: lines.slice(0, -1 - LETTERS.length).join("\n"), options, answerText: options[k].slice(3) };
}

/** The MC exchanges of a conversation as option drills (open-ended exchanges dropped); [] when it has none. */
export function optionDrills(turns: readonly Turn[]): Turn[] {
  const out: Turn[] = [];
  for (let i = 0; i + 1 < turns.length; i += 2) {
    const q = turns[i];
    const a = turns[i + 1];
    const mc = q.from === "human" && a.from === "gpt" ? parseMcTurn(q.value, a.value) : null;
    if (!mc) continue;
    out.push({ from: "human", value: `Which option is ${mc.answerText}?\n${mc.options.join("\n")}\n${MC_INSTRUCTION}` }, { from: "gpt", value: a.value });
  }
  return out;
}
