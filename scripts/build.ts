// Builds the published package: src/ → dist/ as JavaScript with type declarations (a checkout runs src/ through
// tsx; an installed package runs dist/ with plain Node). tsc rewrites relative ".ts" imports in the JavaScript but
// not in the declarations, so those are rewritten here; non-TypeScript assets next to the code are copied.
import { cpSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const ASSETS = ["data/synthesis/prompts", "serve/page"];

function files(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) files(p, out);
    else out.push(p);
  }
  return out;
}

rmSync("dist", { recursive: true, force: true });
const tsc = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
for (const f of files("dist").filter((f) => f.endsWith(".d.ts"))) {
  const s = readFileSync(f, "utf8");
  const t = s.replace(/((?:from |import\()["']\.{1,2}\/[^"']*?)\.ts(["'])/g, "$1.js$2");
  if (t !== s) writeFileSync(f, t);
}
for (const a of ASSETS) cpSync(join("src", a), join("dist", a), { recursive: true });
