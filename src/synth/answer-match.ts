// Scoring: does a model's answer match the gold one? Case, punctuation, articles and number words are
// ignored; a multiple-choice gold answer (a single letter) accepts "B", "(b)", "B. red", "Answer: B" or the
// option's text.

const NUMBER_WORDS = [
  "zero",
  "one",
  "two",
  "three",
  "four",
  "five",
  "six",
  "seven",
  "eight",
  "nine",
  "ten",
  "eleven",
  "twelve",
  "thirteen",
  "fourteen",
  "fifteen",
  "sixteen",
  "seventeen",
  "eighteen",
  "nineteen",
  "twenty",
];
const NUMBER_OF = new Map(NUMBER_WORDS.map((w, i) => [w, String(i)]));

/** Lower case, no punctuation (":" inside times kept), no articles, number words as digits, single spaces. */
export function normaliseAnswer(s: string): string {
  return s
    .toLowerCase()
    .replace(/(\d):(?=\d)/g, "$1\u0000") // protect time separators
    .replace(/[^a-z0-9\u0000\s]+/g, " ")
    .replace(/\u0000/g, ":")
    .split(/\s+/)
    .filter((w) => w && w !== "the" && w !== "a" && w !== "an")
    .map((w) => NUMBER_OF.get(w) ?? w)
    .join(" ");
}

const MC_GOLD = /^[A-D]$/;

/** The option letter a prediction names, or null. */
export function predictedLetter(pred: string): string | null {
  const s = pred.trim();
  const m = /^\(?([A-Da-d])\)?(?:[.:)\s]|$)/.exec(s) ?? /\b(?:answer|option)(?:\s+is)?\s*[:\-]?\s*\(?([A-Da-d])\)?(?:[.:)\s]|$)/i.exec(s);
  return m ? m[1].toUpperCase() : null;
}

/**
 * Whether `pred` answers like `gold`. For multiple choice (gold is one letter A–D) pass the options
 * ("A. red", ...) to also accept the text of the right option.
 */
export function answerMatches(pred: string, gold: string, options?: readonly string[]): boolean {
  const g = gold.trim();
  if (MC_GOLD.test(g)) {
    if (predictedLetter(pred) === g) return true;
    const opt = options?.find((o) => o.startsWith(`${g}. `));
    return opt !== undefined && normaliseAnswer(pred) === normaliseAnswer(opt.slice(3));
  }
  return normaliseAnswer(pred) === normaliseAnswer(g);
}
