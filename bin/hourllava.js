#!/usr/bin/env node
// Launcher. A checkout runs the TypeScript sources through tsx (no build step); the published package ships
// only the compiled dist/ (see scripts/build.ts) and runs it with plain Node.
import { existsSync } from "node:fs";

const fromSource = existsSync(new URL("../src/cli/main.ts", import.meta.url));
if (fromSource) (await import("tsx/esm/api")).register();
const { main } = await import(fromSource ? "../src/cli/main.ts" : "../dist/cli/main.js");
// A command that reports failure by setting process.exitCode (e.g. `data validate` with rejects) keeps it.
const code = await main(process.argv);
if (code !== 0) process.exitCode = code;
