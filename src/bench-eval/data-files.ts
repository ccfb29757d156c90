// Paths under --data: annotation files that must exist (the error names the file and where it was expected),
// and video paths built from ids in those files, which must stay inside --data whatever the id says.
import { existsSync, readFileSync, readdirSync, statSync, type Dirent } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";

/** The absolute path of an annotation file, or an error naming it and the benchmark's layout. */
export function annotationFile(dataDir: string, rel: string, bench: string, layout: string, alsoUnder: readonly string[] = []): string {
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) throw new Error(`${bench}: --data ${dataDir} is not a folder (expected ${layout})`);
  // Where a publisher's download puts it (e.g. LVBench's Hugging Face repo keeps it under data/).
  const tried = [join(dataDir, rel), ...alsoUnder.map((d) => join(dataDir, d, rel))];
  const p = tried.find((f) => existsSync(f));
  if (!p) throw new Error(`${bench}: expected the annotation file ${tried.join(" or ")} (layout: ${layout})`);
  return p;
}

const VIDEO_EXT = /\.(mp4|mkv|webm|mov)$/i;
const YOUTUBE_ID = /(?:[?&]v=|youtu\.be\/|\/shorts\/)([\w-]{11})/;

/** Video files anywhere under `dir` (a few levels down), by id: the file's name without extension, and where a
 * video2dataset sidecar (`<name>.json` beside it) gives the source URL, the YouTube id in that URL. Paths are
 * relative to `dir`. */
export function videoIndex(dir: string, depth = 4): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string, left: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory() && left > 0) walk(r, left - 1);
      else if (e.isFile() && VIDEO_EXT.test(e.name)) {
        const stem = e.name.replace(VIDEO_EXT, "");
        if (!out.has(stem)) out.set(stem, r);
        const url = sidecarUrl(join(dir, rel, `${stem}.json`));
        const id = url && YOUTUBE_ID.exec(url)?.[1];
        if (id && !out.has(id)) out.set(id, r);
      }
    }
  };
  walk("", depth);
  return out;
}

function sidecarUrl(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const v = JSON.parse(readFileSync(path, "utf8")) as { url?: unknown };
    return typeof v.url === "string" ? v.url : undefined;
  } catch {
    return undefined;
  }
}

/** The per-task annotation files of a benchmark that ships one file per task (MLVU, TempCompass): those present,
 * and one listed problem per missing file; with none present, the error names the first expected file. */
export function taskFiles<T extends string>(dataDir: string, folder: string, tasks: readonly T[], bench: string, layout: string) {
  const fileOf = (t: T) => join(dataDir, folder, `${t}.json`);
  const present = tasks.filter((t) => existsSync(fileOf(t)));
  if (present.length === 0) annotationFile(dataDir, `${folder}/${tasks[0]}.json`, bench, layout);
  const problems = tasks.filter((t) => !present.includes(t)).map((t) => `${fileOf(t)}: missing (task ${t} not evaluated)`);
  return { present: present.map((task) => ({ task, file: fileOf(task) })), problems };
}

/** Why a video id may not name a file (path separators, "..", control characters), or undefined when it may. */
export function unsafeId(id: string): string | undefined {
  if (id === "" || id === "." || id === "..") return `video id "${id}" names no file`;
  if (/[/\\]/.test(id)) return `video id "${id}" contains a path separator`;
  if (/[\u0000-\u001f]/.test(id)) return `video id "${JSON.stringify(id)}" contains control characters`;
  return undefined;
}

/** Why a relative video path would leave --data (absolute, or ".." climbing out), or undefined when it stays. */
export function unsafeRelPath(rel: string): string | undefined {
  if (rel === "" || isAbsolute(rel) || /^[a-zA-Z]:/.test(rel)) return `video path "${rel}" is not relative to --data`;
  if (/[\u0000-\u001f]/.test(rel)) return `video path ${JSON.stringify(rel)} contains control characters`;
  const inside = relative(resolve("/data"), resolve("/data", rel));
  if (inside === "" || inside === ".." || inside.startsWith(`..${sep}`)) return `video path "${rel}" leaves --data`;
  return undefined;
}

/** The absolute path of a video inside --data (the relative path was checked by unsafeRelPath). */
export function videoFile(dataDir: string, rel: string): string {
  const why = unsafeRelPath(rel);
  if (why) throw new Error(why);
  return resolve(dataDir, rel);
}
