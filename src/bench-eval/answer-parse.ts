// Answer extraction rules, ported from lmms-eval's task definitions (rules only; each says which task uses it).
// They return "" when nothing can be read, so the caller can count unparsed answers.

/** Lead-ins lmms-eval strips before looking for a letter. Two entries are concatenated string literals in its
 * Python source (a missing comma), so they never match; ported as they behave. */
const PREFIXES_VIDEOMME = [
  "The best answer is",
  "The correct answer is",
  "The answer is",
  "The answer",
  "The best option isThe correct option is",
  "Best answer:Best option:",
];
const PREFIXES_LVB = [
  "The best answer is",
  "The correct answer is",
  "The answer is",
  "The answer",
  "The best option is",
  "The correct option is",
  "Best answer:",
  "Best option:",
];

function firstLetter(s: string, prefixes: readonly string[], letters: string): string {
  let t = s.trim();
  for (const p of prefixes) t = t.split(p).join("");
  const re = new RegExp(`[${letters}]`);
  if (t.split(/\s+/).filter(Boolean).length > 10 && !re.test(t)) return "";
  return re.exec(t)?.[0] ?? "";
}

/** Video-MME (`videomme`, extract_characters_regex) and MLVU (`mlvu_dev`, the same function): strip the
 * lead-ins, give up on a long answer without a capital A–D, else the first capital A–D anywhere. */
export function extractVideoMme(s: string): string {
  return firstLetter(s, PREFIXES_VIDEOMME, "ABCD");
}

/** LongVideoBench (`longvideobench_val_v`, parse_multi_choice_response): as Video-MME over A–E, and when no
 * letter is found lmms-eval picks a random offered letter. Here the pick is seeded by the question id, so a
 * rerun scores the same; `matched` says the fallback was used. */
export function extractLongVideoBench(s: string, choices: readonly string[], seedKey: string): { letter: string; matched: boolean } {
  const letter = firstLetter(s, PREFIXES_LVB, "ABCDE");
  if (letter) return { letter, matched: true };
  return { letter: choices[hashIndex(seedKey, choices.length)], matched: false };
}

function hashIndex(key: string, n: number): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619) >>> 0;
  return n > 0 ? h % n : 0;
}

const DECLARATION = /(?<!\w)(?:(?:the|my)\s+)?(?:(?:correct|best|final)\s+)?(?:answer|option|choice)\s*(?:is\b|[:=])/gi;
const CHOICE = /^\s*(?:(?:option|choice)\b\s*:?\s*)?[(["'*`]*\s*([A-Za-z])(?![\w'’-])\s*[)\]"'*`]*([.:)]?)(.*)$/s;

interface Choice {
  letter: string;
  upper: boolean;
  /** Nothing but punctuation follows ("B", "(B).", "**B**"). */
  alone: boolean;
  /** A label: "B. a book", "B) a book", "B: a book". */
  labelled: boolean;
  /** A second letter offered beside it ("A or B", "A/B", "A, B"). */
  alternative: boolean;
}

/** The choice letter at the start of `t`, after wrappers such as "(", "**" or "option". */
function readChoice(t: string): Choice | undefined {
  const m = CHOICE.exec(t);
  if (!m) return undefined;
  const rest = m[3];
  return {
    letter: m[1].toUpperCase(),
    upper: m[1] === m[1].toUpperCase(),
    alone: /^[\s.!?,;:]*$/.test(rest),
    labelled: m[2] !== "",
    alternative: /^\s*(?:or|and|\/|,|&|\+)\s*\(?[A-Za-z](?!\w)/i.test(rest),
  };
}

/** LVBench (`lvbench`, extract_mcq_answer over A–D), the core of its policy: the last explicit declaration
 * ("The answer is (B)", "Answer: b") decides, and an invalid one gives ""; without one, a capital letter alone
 * or as a label ("B", "(B)", "B. a book"), or parenthesised letters that all agree; "A or B", prose and
 * lower-case letters in prose give "". Its Markdown/LaTeX/<answer>-tag and CJK cases are left out. */
export function extractLvbench(s: string, choices: readonly string[] = ["A", "B", "C", "D"]): string {
  const text = s.trim();
  let declared: string | undefined;
  for (const m of text.matchAll(DECLARATION)) {
    const c = readChoice(text.slice(m.index + m[0].length));
    declared = c && choices.includes(c.letter) && !c.alternative ? c.letter : "";
  }
  if (declared !== undefined) return declared;
  const c = readChoice(text);
  if (c && c.upper && (c.alone || c.labelled)) return !c.alternative && choices.includes(c.letter) ? c.letter : "";
  const parens = new Set([...text.matchAll(/(?<!\w)\(\s*([A-Za-z])\s*\)(?!\w)/g)].map((m) => m[1].toUpperCase()));
  const only = parens.size === 1 ? [...parens][0] : "";
  return choices.includes(only) ? only : "";
}

/** TempCompass multi-choice (`tempcompass_multi_choice`, hand-crafted rules): the whole answer text, a bare
 * letter, or "X." / "X)" at the start; otherwise lmms-eval asks gpt-3.5 — here the question counts as
 * unmatched (wrong) and is listed. `answer` is the gold "A. text". */
export function ruleTempCompassMc(pred: string, answer: string): { parsed: string; correct: boolean; matched: boolean } {
  if (pred === answer) return { parsed: answer[0], correct: true, matched: true };
  if (/^[ABCD]$/.test(pred)) return { parsed: pred, correct: pred === answer[0], matched: true };
  const m = /^([ABCD])[.)]/.exec(pred);
  if (m) return { parsed: m[1], correct: m[1] === answer[0], matched: true };
  return { parsed: "", correct: false, matched: false };
}

/** TempCompass yes/no (`tempcompass_yes_no`, extract_pred): the lower-cased answer starts with "yes" or "no". */
export function ruleTempCompassYesNo(pred: string): string {
  const p = pred.toLowerCase();
  return p.startsWith("yes") ? "yes" : p.startsWith("no") ? "no" : "";
}

/** TempCompass caption matching (`tempcompass_caption_matching`, eval_rule): the answer must equal an option
 * line, an option's sentence (also after "X) "), or an option's label ("Sentence A", "A", with dots removed).
 * The question's lines after the first are "Sentence A: …". Returns undefined when no rule applies. */
export function ruleTempCompassCaption(pred: string, question: string, answer: string): { parsed: string; correct: boolean } | undefined {
  const optionLines = question.split("\n").slice(1);
  const sents = optionLines.map((o) => o.split(": ")[1] ?? "");
  const labels = optionLines.map((o) => o.split(": ")[0]);
  const inds = [...labels, ...labels.map((l) => l.replace("Sentence ", "").replace("Option ", "").replace("Caption ", ""))];
  let got: string | undefined;
  for (const o of optionLines) if (o === pred) got = o;
  for (const s of sents) if (s === pred || (pred.includes(") ") && s === pred.split(") ")[1])) got = s;
  for (const i of inds) if (i === pred || i === pred.replace(/\./g, "")) got = i;
  if (got === undefined) return undefined;
  const [head, tail] = [answer.split(":")[0], answer.split(": ")[1]];
  const ok = got === answer || got === head || got === tail || got === answer.split(": ")[0].split(" ")[1];
  return { parsed: got, correct: ok };
}

/** Scoring for benchmarks whose answer is one option letter: `extract` reads it, "" is unmatched. */
export function letterScore(extract: (prediction: string) => string) {
  return (item: { answer: string }, prediction: string): { parsed: string; matched: boolean; correct: boolean } => {
    const parsed = extract(prediction);
    return { parsed, matched: parsed !== "", correct: parsed !== "" && parsed.toLowerCase() === item.answer.toLowerCase() };
  };
}
