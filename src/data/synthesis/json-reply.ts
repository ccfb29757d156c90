// Pulls the JSON value out of a chat reply: models wrap it in ```json fences, add prose around it, or
// leave trailing commas. The first candidate that parses wins.

function tryParse(s: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(s) };
  } catch {
    try {
      // the commonest model slip: a comma before a closing bracket
      return { ok: true, value: JSON.parse(s.replace(/,(\s*[}\]])/g, "$1")) };
    } catch {
      return { ok: false };
    }
  }
}

/** The end index (exclusive) of the balanced {...} or [...] starting at `start`, or -1. */
function balancedEnd(s: string, start: number): number {
  const stack: string[] = [];
  let inString = false;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{" || c === "[") stack.push(c === "{" ? "}" : "]");
    else if (c === "}" || c === "]") {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i + 1;
    }
  }
  return -1;
}

/** The JSON value in a reply; throws an Error saying why none was found. */
export function extractJson(reply: string): unknown {
  const text = reply.trim();
  if (text === "") throw new Error("the reply is empty");
  const candidates: string[] = [];
  for (const m of text.matchAll(/```[a-zA-Z0-9_-]*[ \t]*\r?\n?([\s\S]*?)```/g)) candidates.push(m[1].trim());
  candidates.push(text);
  for (const c of candidates) {
    const p = tryParse(c);
    if (p.ok) return p.value;
  }
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== "{" && text[i] !== "[") continue;
    const end = balancedEnd(text, i);
    if (end < 0) continue;
    const p = tryParse(text.slice(i, end));
    if (p.ok) return p.value;
  }
  throw new Error("the reply holds no parseable JSON object");
}
