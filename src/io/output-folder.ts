// Which existing folders an output may replace. A tool writes a whole folder (a model, a checkpoint, a shard set)
// in a temp folder and moves it into place; the folder already there is replaced only when it holds nothing but
// the same kind of output, so a typo such as `--out ~` is refused instead of deleting a home folder.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** The names one kind of output writes at its top level. */
export type OwnFiles = (name: string) => boolean;

/** A Hugging Face-style model folder: config, weights (one file or shards + index), tokenizer and its companions. */
export const MODEL_FOLDER_FILES: OwnFiles = (n) =>
  /^(config|generation_config|tokenizer|tokenizer_config|special_tokens_map|added_tokens|preprocessor_config|chat_template|vocab)\.json$/.test(n) ||
  /^model(-\d{5}-of-\d{5})?\.safetensors$|^model\.safetensors\.index\.json$/.test(n) ||
  /^(merges\.txt|chat_template\.jinja|README\.md|\.gitattributes)$/.test(n);

/** A training checkpoint: a model folder plus the optimizer and the trainer's state. */
export const CHECKPOINT_FILES: OwnFiles = (n) => MODEL_FOLDER_FILES(n) || n === "optimizer.safetensors" || n === "trainer_state.json";

/** An MDS shard set (index.json and its shard files). */
export const MDS_FILES: OwnFiles = (n) => n === "index.json" || /^shard\.\d{5}\.mds(\.zstd)?$/.test(n);

/** Entries of `dir` that are not `own` files; sub-folders end in "/". */
export function foreignEntries(dir: string, own: OwnFiles): string[] {
  const out: string[] = [];
  for (const n of readdirSync(dir).sort()) {
    const isDir = statSync(join(dir, n)).isDirectory();
    if (!isDir && own(n)) continue;
    out.push(isDir ? `${n}/` : n);
  }
  return out;
}

/** Throws, naming what it found, unless `dir` is missing, empty or holds only `what` output. */
export function assertReplaceable(dir: string, own: OwnFiles, what: string): void {
  let found: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error(`refusing to write the ${what} to ${dir}: it is a file, not a folder`);
    found = foreignEntries(dir, own);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
    throw e;
  }
  if (found.length === 0) return;
  const shown = found.slice(0, 5).join(", ") + (found.length > 5 ? ` and ${found.length - 5} more` : "");
  throw new Error(`refusing to replace ${dir}: it holds files that are not a ${what} (${shown}); choose a new or empty folder`);
}
