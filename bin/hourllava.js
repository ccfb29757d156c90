#!/usr/bin/env node
// Launcher: runs the TypeScript CLI through tsx (a runtime dependency), so a checkout needs no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
// A command that reports failure by setting process.exitCode (e.g. `data validate` with rejects) keeps it.
const code = await main(process.argv);
if (code !== 0) process.exitCode = code;
