// Answer extraction rules, ported from lmms-eval's task definitions (rules only; each says which task uses it).
// They return "" when nothing can be read, so the caller can count unparsed answers.

/** LongVideoBench's lead-ins (longvideobench/utils.py parse_multi_choice_response at 75571cfe), removed before
 * looking for a letter. */
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
  let t = pyStrip(s);
  for (const p of prefixes) t = t.split(p).join("");
  const re = new RegExp(`[${letters}]`);
  if (t.split(new RegExp(`[${PY_SPACE}]+`)).filter(Boolean).length > 10 && !re.test(t)) return "";
  return re.exec(t)?.[0] ?? "";
}

/** Video-MME (`videomme`) and MLVU (`mlvu_dev`): their extract_characters_regex is extract_mcq_answer over A–D
 * (videomme/utils.py and mlvu/utils.py at 75571cfe; before lmms-eval #1274, 2026-04, they used other rules). */
export function extractVideoMme(s: string): string {
  return extractMcqAnswer(s, ["A", "B", "C", "D"]);
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

/** Python's str.isspace set (what `str.strip()` with no argument removes): JS's \s without U+FEFF, plus
 * U+001C–U+001F and U+0085. */
const PY_SPACE = "\t\n\v\f\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000";

/** Python's `s.strip(chars)` (whitespace when `chars` is omitted). */
export function pyStrip(s: string, chars: string = PY_SPACE): string {
  const cps = Array.from(s);
  let a = 0;
  let b = cps.length;
  while (a < b && chars.includes(cps[a])) a++;
  while (b > a && chars.includes(cps[b - 1])) b--;
  return cps.slice(a, b).join("");
}

// lmms-eval `lmms_eval/tasks/_task_utils/mcq_extract.py` at 75571cfe0fa36ca5ec2e6aa2bb268f9d38295af3: the phrase
// list and format priorities are data, byte-equal to `_ANSWER_PHRASES` and `_FORMAT_PRIORITY` there.
const ANSWER_PHRASES = [
  "the answer is",
  "answer is",
  "the correct answer is",
  "correct answer is",
  "the best answer is",
  "best answer is",
  "the correct option is",
  "correct option is",
  "the best option is",
  "best option is",
  "the choice is",
  "choice is",
  "the correct choice is",
  "correct choice is",
  "i choose",
  "i select",
  "i pick",
  "my answer is",
  "my choice is",
  "옵션",
  "정답은",
  "답은",
  "답:",
  "答案是",
  "答案为",
  "选",
  "答えは",
];
const FORMAT_PRIORITY = { start: 10, end: 9, phrase: 7, parentheses: 6, period: 5, colon: 4, right_paren: 3, space: 2, fallback: 0 } as const;
const isAlpha = (c: string | undefined) => c !== undefined && /^[\p{L}]$/u.test(c);

/** Python's str.rfind / str.find over code points (positions only order candidates, so code units would do;
 * code points keep them equal to Python's). */
const cpIndex = (s: string, unitIndex: number) => (unitIndex < 0 ? -1 : Array.from(s.slice(0, unitIndex)).length);

/**
 * lmms-eval's `extract_mcq_answer` (mcq_extract.py at 75571cfe; used by `videomme`, `lvbench` and `mlvu_dev`
 * with choices A–D), step for step: strip whitespace, then each of , . ! ? ; : ' " in turn from both ends; pad
 * with spaces; collect candidates "(X)", "X.", "X:", "X)", "X " (each at its last occurrence), a letter after an
 * answer phrase (found case-insensitively; the letter itself must be upper case), a leading or trailing letter
 * not touching another letter; only when none, any occurrence. The highest priority wins, then the latest
 * position, then the first found. Upper-case letters only: "b" alone gives "".
 */
export function extractMcqAnswer(response: string, choices: readonly string[] = ["A", "B", "C", "D", "E", "F", "G", "H"]): string {
  if (!response || !pyStrip(response)) return "";
  let text = pyStrip(response);
  for (const ch of [",", ".", "!", "?", ";", ":", "'", '"']) text = pyStrip(text, ch);
  text = " " + text + " ";
  const cands: { letter: string; pos: number; format: keyof typeof FORMAT_PRIORITY }[] = [];
  const add = (letter: string, unitPos: number, format: keyof typeof FORMAT_PRIORITY) => cands.push({ letter, pos: cpIndex(text, unitPos), format });
  const fmts: [keyof typeof FORMAT_PRIORITY, (ch: string) => string][] = [
    ["parentheses", (ch) => `(${ch})`],
    ["period", (ch) => `${ch}.`],
    ["colon", (ch) => `${ch}:`],
    ["right_paren", (ch) => `${ch})`],
    ["space", (ch) => `${ch} `],
  ];
  for (const [format, pat] of fmts) for (const ch of choices) if (text.includes(pat(ch))) add(ch, text.lastIndexOf(pat(ch)), format);
  // Python finds the phrase in text.lower() and the letter in text from that index on; the two strings have the
  // same length except for the few characters whose lower case is longer (as in JS's toLowerCase).
  const lower = text.toLowerCase();
  for (const phrase of ANSWER_PHRASES) {
    const idx = lower.indexOf(phrase);
    if (idx === -1) continue;
    const after = cpIndex(lower, idx) + Array.from(phrase).length;
    const cps = Array.from(text);
    for (const ch of choices) {
      const at = cps.indexOf(ch, after);
      if (at !== -1) cands.push({ letter: ch, pos: at, format: "phrase" });
    }
  }
  const stripped = Array.from(pyStrip(text));
  for (const ch of choices) if (stripped[0] === ch && (stripped.length === 1 || !isAlpha(stripped[1]))) cands.push({ letter: ch, pos: 0, format: "start" });
  const textLen = Array.from(text).length;
  for (const ch of choices)
    if (stripped.length > 0 && stripped[stripped.length - 1] === ch && (stripped.length === 1 || !isAlpha(stripped[stripped.length - 2])))
      cands.push({ letter: ch, pos: textLen - 1, format: "end" });
  if (cands.length === 0) for (const ch of choices) if (text.includes(ch)) add(ch, text.lastIndexOf(ch), "fallback");
  if (cands.length === 0) return "";
  // Python's sort(reverse=True) is stable: equal keys keep their order, so the first found wins a tie.
  const best = cands.reduce((a, c) => {
    const [pa, pc] = [FORMAT_PRIORITY[a.format], FORMAT_PRIORITY[c.format]];
    return pc > pa || (pc === pa && c.pos > a.pos) ? c : a;
  });
  return best.letter;
}

/** LVBench (`lvbench`, lvbench/utils.py extract_characters_regex at 75571cfe): extract_mcq_answer over A–D. */
export function extractLvbench(s: string): string {
  return extractMcqAnswer(s, ["A", "B", "C", "D"]);
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
