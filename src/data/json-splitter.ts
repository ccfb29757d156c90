// Splits a top-level JSON array into the source text of its elements, fed in chunks of any size, so a
// multi-GB `videomarathon.json` is read element by element in constant memory (plus one element).

const WS = new Set([0x20, 0x09, 0x0a, 0x0d, 0xfeff]);

export class JsonArraySplitter {
  private state: "start" | "array" | "done" = "start";
  private depth = 0;
  private inString = false;
  private escape = false;
  private started = false; // an element has begun at the current depth-0 slot
  private afterComma = false;
  private pending: string[] = []; // element text from earlier chunks
  private offset = 0; // characters consumed before the current chunk
  private count = 0;
  private line = 1; // 1-based line of the character being scanned
  private startLine = 1; // line where the current element began

  constructor(private readonly label = "input") {}

  /** Feeds the next chunk; returns the complete elements it closed, as JSON text. */
  push(chunk: string): string[] {
    return this.pushWithLines(chunk).map((e) => e.text);
  }

  /** As push, with the 1-based line where each element starts. */
  pushWithLines(chunk: string): { text: string; line: number }[] {
    const out: { text: string; line: number }[] = [];
    let from = -1; // start of the current element inside this chunk
    if (this.started && this.state === "array") from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 0x0a) this.line++;
      if (this.state === "array") {
        if (this.inString) {
          if (this.escape) this.escape = false;
          else if (c === 0x5c) this.escape = true;
          else if (c === 0x22) this.inString = false;
          continue;
        }
        if (this.depth === 0 && !this.started) {
          if (WS.has(c)) continue;
          if (c === 0x5d) {
            if (this.afterComma) this.fail(i, "trailing comma before ']'");
            this.state = "done";
            continue;
          }
          if (c === 0x2c) this.fail(i, this.count === 0 && !this.afterComma ? "',' before the first element" : "empty element between commas");
          this.started = true;
          this.afterComma = false;
          this.startLine = this.line;
          from = i;
        }
        if (c === 0x22) this.inString = true;
        else if (c === 0x7b || c === 0x5b) this.depth++;
        else if (c === 0x7d || c === 0x5d) {
          if (this.depth > 0) this.depth--;
          else if (c === 0x7d) this.fail(i, "unbalanced '}'");
          else {
            // ']' closes the array right after an element
            out.push(this.take(chunk, from, i));
            this.state = "done";
            from = -1;
          }
        } else if (c === 0x2c && this.depth === 0) {
          out.push(this.take(chunk, from, i));
          this.afterComma = true;
          from = -1;
        }
      } else if (this.state === "start") {
        if (WS.has(c)) continue;
        if (c !== 0x5b) this.fail(i, `expected '[' to open a JSON array, found ${JSON.stringify(chunk[i])}`);
        this.state = "array";
      } else if (!WS.has(c)) {
        this.fail(i, `unexpected ${JSON.stringify(chunk[i])} after the closing ']'`);
      }
    }
    if (this.started && from >= 0) this.pending.push(chunk.slice(from));
    this.offset += chunk.length;
    return out;
  }

  /** Call after the last chunk: throws if the array was not closed. */
  end(): void {
    if (this.state === "start") throw new Error(`${this.label}: empty input, expected a JSON array`);
    if (this.state !== "done") {
      const where = this.inString ? " inside a string" : "";
      throw new Error(`${this.label}: unexpected end of input${where} after ${this.count} complete element(s); the JSON array is not closed`);
    }
  }

  /** Elements emitted so far. */
  get elements(): number {
    return this.count;
  }

  private take(chunk: string, from: number, to: number): { text: string; line: number } {
    const text = this.pending.length ? this.pending.join("") + chunk.slice(Math.max(from, 0), to) : chunk.slice(from, to);
    this.pending = [];
    this.started = false;
    this.count++;
    return { text, line: this.startLine };
  }

  private fail(i: number, what: string): never {
    throw new Error(`${this.label}: not a valid JSON array at character ${this.offset + i}: ${what}`);
  }
}
