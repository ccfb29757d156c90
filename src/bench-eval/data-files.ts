// Paths under --data: annotation files that must exist (the error names the file and where it was expected),
// and video paths built from ids in those files, which must stay inside --data whatever the id says.
import { existsSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";

/** The absolute path of an annotation file, or an error naming it and the benchmark's layout. */
export function annotationFile(dataDir: string, rel: string, bench: string, layout: string): string {
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) throw new Error(`${bench}: --data ${dataDir} is not a folder (expected ${layout})`);
  const p = join(dataDir, rel);
  if (!existsSync(p)) throw new Error(`${bench}: expected the annotation file ${p} (layout: ${layout})`);
  return p;
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
