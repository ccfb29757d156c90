import { test } from "node:test";
import assert from "node:assert/strict";
import { Command } from "commander";
import { buildProgram } from "../../src/cli/main.ts";
import { durationOption, intOption, numOption, parseDuration, parseSize, powerOfTwoOption, sizeOption } from "../../src/cli/options.ts";

test("integers: digits only, bounds enforced, one clear line", () => {
  const maxTokens = intOption("max-tokens", 1);
  assert.equal(maxTokens("12"), 12);
  assert.throws(() => maxTokens("12abc"), { message: '--max-tokens: expected an integer ≥ 1, got "12abc"' });
  assert.throws(() => maxTokens("-1"), { message: '--max-tokens: expected an integer ≥ 1, got "-1"' });
  assert.throws(() => maxTokens("1.5"), /expected an integer ≥ 1/);
  assert.throws(() => intOption("seed", 0, 2 ** 31 - 1)("7319000000"), { message: '--seed: expected an integer in 0..2147483647, got "7319000000"' });
  assert.equal(intOption("seed")("-3"), -3);
  assert.throws(() => numOption("top-p", { min: 0, exclusiveMin: true, max: 1 })("0"), { message: '--top-p: expected a number > 0 and ≤ 1, got "0"' });
  assert.equal(numOption("temperature", { min: 0 })("0.7"), 0.7);
  assert.throws(() => numOption("temperature", { min: 0 })(""), /expected a number ≥ 0/);
});

test("sizes and durations carry units", () => {
  assert.equal(parseSize("10GB"), 10e9);
  assert.equal(parseSize("512MiB"), 512 * 2 ** 20);
  assert.equal(parseSize("1e9"), 1e9);
  assert.equal(parseSize("123"), 123);
  assert.equal(parseSize("1.5 kb"), 1500);
  assert.equal(parseSize("10XB"), undefined);
  assert.throws(() => sizeOption("max-bytes")("1 GBB"), { message: '--max-bytes: expected a size like 10GB, 512MiB or 1e9 (bytes), got "1 GBB"' });
  assert.equal(parseDuration("7d"), 7 * 86400);
  assert.equal(parseDuration("12h"), 12 * 3600);
  assert.equal(parseDuration("1.5m"), 90);
  assert.equal(parseDuration("2w"), 14 * 86400);
  assert.equal(parseDuration("7"), undefined);
  assert.throws(() => durationOption("older-than")("7"), { message: '--older-than: expected a duration like 7d, 12h, 30m or 45s, got "7"' });
});

/** Runs the real program with every action replaced, so a bad value is caught while parsing, before any work. */
async function parseOnly(args: string[]): Promise<string | undefined> {
  const program = buildProgram();
  let ran: string | undefined;
  const stub = (c: Command) => {
    c.action(() => void (ran = c.name()));
    c.commands.forEach(stub);
  };
  program.commands.forEach(stub);
  await program.parseAsync(["node", "hourllava", ...args]);
  return ran;
}

test("commands reject bad numbers before doing any work", async () => {
  const bad: [string[], string][] = [
    [["train", "--config", "c.json", "--steps", "abc"], '--steps: expected an integer ≥ 1, got "abc"'],
    [["train", "--config", "c.json", "--stage", "4"], '--stage: expected an integer in 1..3, got "4"'],
    [["ask", "v.mp4", "q", "--max-tokens", "12abc"], '--max-tokens: expected an integer ≥ 1, got "12abc"'],
    [["ask", "v.mp4", "q", "--max-tokens", "-1"], '--max-tokens: expected an integer ≥ 1, got "-1"'],
    [["ask", "v.mp4", "q", "--spatial", "grid"], '--spatial: expected uniform | random, got "grid"'],
    [["ask", "v.mp4", "q", "--sampling", "2fps"], '--sampling: expected one-fps-min | streaming | prefix, got "2fps"'],
    [["cache", "gc", "--max-bytes", "lots"], '--max-bytes: expected a size like 10GB, 512MiB or 1e9 (bytes), got "lots"'],
    [["report", "--model", "m", "--out", "o", "--seed", "99999999999"], '--seed: expected an integer in 0..2147483647, got "99999999999"'],
  ];
  for (const [args, message] of bad) await assert.rejects(parseOnly(args), { message }, args.join(" "));
  assert.equal(await parseOnly(["cache", "gc", "--max-bytes", "10GB", "--older-than", "7d"]), "gc");
  assert.equal(await parseOnly(["report", "--model", "m", "--out", "o", "--seed", "7319"]), "report");
});

test("exit codes and messages: numbers are decimal only; --block-size is checked when parsed", () => {
  const topP = numOption("top-p", { min: 0, exclusiveMin: true, max: 1 });
  for (const v of ["0x1", "0b1", "0o1", "Infinity", "1_0"]) assert.throws(() => topP(v), { message: `--top-p: expected a number > 0 and ≤ 1, got "${v}"` });
  assert.equal(topP("1e-1"), 0.1);
  assert.equal(topP(".5"), 0.5);
  const block = powerOfTwoOption("block-size", 16, 4096);
  assert.equal(block("64"), 64);
  assert.throws(() => block("17"), { message: '--block-size: expected a power of two in 16..4096, got "17"' });
  assert.throws(() => block("8"), /--block-size: expected an integer in 16\.\.4096/);
});
