// Client-facing errors carry no server paths: the folders the server knows (uploads, cache, video root, model,
// temp, home) become labels, and any other absolute path whose first folder exists here becomes its file name.
// API routes such as /v1/files are not paths on this machine, so they are left as they are.
import { existsSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { basename, resolve } from "node:path";

export type Redact = (message: string) => string;

const ABSOLUTE = /(?<![\w:/.])\/(?:[^\s"'`()<>,;]+)/g;

export function pathRedactor(roots: Record<string, string | undefined>): Redact {
  const known = Object.entries({ ...roots, tmp: tmpdir(), home: homedir() })
    .filter((e): e is [string, string] => !!e[1] && resolve(e[1]) !== "/")
    .map(([label, dir]) => [label, resolve(dir)] as const)
    .sort((a, b) => b[1].length - a[1].length);
  return (message) => {
    let m = message;
    for (const [label, dir] of known) m = m.split(dir).join(`<${label}>`);
    return m.replace(ABSOLUTE, (p) => {
      const first = p.split("/")[1];
      return first && existsSync(`/${first}`) ? `<path>/${basename(p.replace(/[.:]+$/, ""))}${p.match(/[.:]+$/)?.[0] ?? ""}` : p;
    });
  };
}
