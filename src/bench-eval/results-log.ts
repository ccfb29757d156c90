// results.jsonl: one line per answered question, appended as answers come, so a killed run resumes where it
// stopped. A last line without its newline is what a kill mid-write leaves: it is cut off and redone.
import { appendFileSync } from "node:fs";
import { readAppendLog } from "../io/append-log.ts";
import type { ResultRow } from "./types.ts";

export class ResultsLog {
  private readonly ids: Set<string>;
  private constructor(
    readonly path: string,
    readonly rows: ResultRow[],
  ) {
    this.ids = new Set(rows.map((r) => r.id));
  }

  /** Opens (or starts) the log; the rows already in it come back in file order. */
  static open(path: string): ResultsLog {
    const rows = readAppendLog<ResultRow>(path, "result", "move the file away to start over");
    return new ResultsLog(path, rows);
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  append(row: ResultRow): void {
    appendFileSync(this.path, JSON.stringify(row) + "\n");
    this.rows.push(row);
    this.ids.add(row.id);
  }
}
