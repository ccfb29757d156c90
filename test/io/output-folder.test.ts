// Bad-input class "data loss": an output folder is replaced only when it holds nothing but the same kind of
// output; a folder with foreign files is refused, naming them, and left untouched.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./tmp.ts";
import { commitTempDir, tempPathFor, writeFileAtomic } from "../../src/io/atomic.ts";
import { MODEL_FOLDER_FILES, assertReplaceable } from "../../src/io/output-folder.ts";
import { writeCheckpoint } from "../../src/io/checkpoint.ts";
import { MdsWriter } from "../../src/data/mds.ts";

const tensors = { w: { dtype: "F32" as const, shape: [2], data: new Float32Array([1, 2]) } };

test("data loss: a checkpoint written over a folder with foreign files is refused and the files survive", () => {
  const home = join(tempDir("out-"), "home");
  mkdirSync(home);
  writeFileSync(join(home, ".bashrc"), "keep me");
  writeFileSync(join(home, "thesis.tex"), "keep me too");
  assert.throws(() => writeCheckpoint(home, { a: 1 }, tensors), /refusing to replace .*home.*\.bashrc, thesis\.tex/);
  assert.equal(readFileSync(join(home, ".bashrc"), "utf8"), "keep me");
  assert.equal(readFileSync(join(home, "thesis.tex"), "utf8"), "keep me too");
  assert.equal(existsSync(join(home, "config.json")), false);
});

test("data loss: the same kind of output is replaced (a re-run), a new or empty folder is used", () => {
  const root = tempDir("out-");
  const dir = join(root, "model");
  writeCheckpoint(dir, { a: 1 }, tensors);
  writeCheckpoint(dir, { a: 2 }, tensors);
  assert.equal(JSON.parse(readFileSync(join(dir, "config.json"), "utf8")).a, 2);
  const empty = join(root, "empty");
  mkdirSync(empty);
  writeCheckpoint(empty, { a: 3 }, tensors);
  assert.equal(JSON.parse(readFileSync(join(empty, "config.json"), "utf8")).a, 3);
});

test("data loss: a foreign sub-folder counts as foreign; an own shard name does not", () => {
  const dir = tempDir("out-");
  writeFileSync(join(dir, "model-00001-of-00002.safetensors"), "");
  assertReplaceable(dir, MODEL_FOLDER_FILES, "model folder");
  mkdirSync(join(dir, "photos"));
  assert.throws(() => assertReplaceable(dir, MODEL_FOLDER_FILES, "model folder"), /photos\//);
});

test("data loss: commitTempDir without a rule for own files refuses any non-empty folder", () => {
  const dir = tempDir("out-");
  writeFileSync(join(dir, "notes.txt"), "x");
  const tmp = tempPathFor(dir);
  mkdirSync(tmp);
  writeFileSync(join(tmp, "notes.txt"), "new");
  assert.throws(() => commitTempDir(tmp, dir, () => false, "test output"), /refusing to replace/);
  assert.equal(readFileSync(join(dir, "notes.txt"), "utf8"), "x");
  assert.equal(existsSync(tmp), false);
});

test("data loss: data shard --out over a folder with foreign files is refused before anything is written", () => {
  const dir = tempDir("out-");
  writeFileSync(join(dir, "important.csv"), "a,b\n");
  assert.throws(() => new MdsWriter({ out: dir, columns: { id: "str" } }), /refusing to replace .*important\.csv/);
  assert.equal(readFileSync(join(dir, "important.csv"), "utf8"), "a,b\n");
});

test("exit codes and messages: a failed write names the file (a folder in the way, a missing parent)", () => {
  const dir = tempDir("out-");
  mkdirSync(join(dir, "report.md"));
  assert.throws(() => writeFileAtomic(join(dir, "report.md"), "x"), new RegExp(`report\\.md.*(EISDIR|directory)`));
  assert.throws(() => writeFileAtomic(join(dir, "nope", "a.json"), "x"), new RegExp(`cannot write ${dir}/nope/a\\.json: ENOENT`));
});
