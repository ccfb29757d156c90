// An append-only JSON-lines file read back after a possible kill: a last line without its newline is what a kill
// mid-write leaves, so it is cut off the file (its record is redone, and the next append starts on a line of its own
// instead of running into it); any other line that is not JSON is damage, refused naming the file and line.
import { existsSync, readFileSync, truncateSync } from "node:fs";

/** The records of `path` in file order ([] when it does not exist); `what` names a line in the error, `hint` says
 * what the user can do. */
export function readAppendLog<T>(path: string, what: string, hint: string): T[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, "utf8");
  const end = text.lastIndexOf("\n") + 1;
  if (end < text.length) truncateSync(path, Buffer.byteLength(text.slice(0, end)));
  const out: T[] = [];
  text
    .slice(0, end)
    .split("\n")
    .forEach((line, i) => {
      if (!line.trim()) return;
      try {
        out.push(JSON.parse(line) as T);
      } catch {
        throw new Error(`${path}:${i + 1}: not a ${what} line (not JSON); ${hint}`);
      }
    });
  return out;
}
