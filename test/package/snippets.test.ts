// Every TypeScript snippet of README.md and docs/*.md type-checks against the package's own types ("hourllava" is
// this checkout's src/index.ts, "hourllava/serve" its server entry), so the documentation cannot drift from the API.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

function snippets(): { where: string; code: string }[] {
  const files = [
    "README.md",
    ...readdirSync("docs")
      .filter((f) => f.endsWith(".md"))
      .map((f) => join("docs", f)),
  ];
  return files.flatMap((f) =>
    [...readFileSync(f, "utf8").matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m, i) => ({ where: `${f} snippet ${i + 1}`, code: m[1] })),
  );
}

test("the TypeScript snippets of README.md and docs/ type-check", () => {
  const all = snippets();
  assert.ok(all.length >= 3, `found ${all.length} snippets`);
  const dir = mkdtempSync(join(resolve("."), ".snippets-"));
  try {
    const names = all.map((s, i) => {
      const name = `snippet-${i}.ts`;
      writeFileSync(join(dir, name), `// ${s.where}\n${s.code}\nexport {};\n`);
      return name;
    });
    const root = resolve(".");
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: join(root, "tsconfig.json"),
        compilerOptions: {
          noUnusedLocals: false,
          baseUrl: root,
          paths: { hourllava: ["src/index.ts"], "hourllava/serve": ["src/serve/index.ts"] },
        },
        include: names,
      }),
    );
    const r = spawnSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(dir, "tsconfig.json")], { encoding: "utf8" });
    const out = (r.stdout + r.stderr).replace(/snippet-(\d+)\.ts/g, (_, i) => all[Number(i)].where);
    assert.equal(r.status, 0, out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
