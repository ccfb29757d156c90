// The benchmarks as users have them: LVBench's annotation file under data/ (the AIWinter/LVBench repo) and its videos
// unzipped anywhere or in video2dataset shards whose .json sidecars carry the YouTube URL; MLVU's snapshot root.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lvbench } from "../../src/bench-eval/benchmarks/lvbench.ts";
import { videoIndex } from "../../src/bench-eval/data-files.ts";

const root = mkdtempSync(join(tmpdir(), "hl-lvbench-"));
test.after(() => rmSync(root, { recursive: true, force: true }));

function file(path: string, text = ""): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, text);
}
const row = (key: string, uid: string) =>
  JSON.stringify({ key, qa: [{ uid, question: "Q?\n(A) a\n(B) b\n(C) c\n(D) d", answer: "A", question_type: ["reasoning"] }] });

test("annotations under data/, videos in video2dataset shards (by their sidecar's URL) and unzipped anywhere", async () => {
  const d = join(root, "hf");
  file(join(d, "data", "video_info.meta.jsonl"), [row("Cm73ma6Ibcs", "1"), row("zz_unzipped", "2"), row("not_here_00", "3")].join("\n") + "\n");
  file(join(d, "shards", "00000", "000000001.mp4"));
  file(
    join(d, "shards", "00000", "000000001.json"),
    JSON.stringify({ key: "000000001", url: "https://www.youtube.com/watch?v=Cm73ma6Ibcs", status: "success" }),
  );
  file(join(d, "shards", "00000", "000000002.mp4"));
  file(join(d, "shards", "00000", "000000002.json"), "{ not json");
  file(join(d, "all_videos", "zz_unzipped.mp4"));
  const { items, problems } = await lvbench.load(d, { preset: "llava_vid" });
  assert.deepEqual(problems, []);
  assert.deepEqual(
    items.map((it) => [it.id, it.videoPath]),
    [
      ["1", "shards/00000/000000001.mp4"],
      ["2", "all_videos/zz_unzipped.mp4"],
      ["3", "videos/not_here_00.mp4"], // not found: reported missing by the run, under the publisher's path
    ],
  );
});

test("youtu.be and shorts URLs name the video too; a file's own name wins over another's sidecar", () => {
  const d = join(root, "urls");
  file(join(d, "a", "1.mp4"));
  file(join(d, "a", "1.json"), JSON.stringify({ url: "https://youtu.be/AAAAAAAAAAA?t=3" }));
  file(join(d, "b", "2.mkv"));
  file(join(d, "b", "2.json"), JSON.stringify({ url: "https://www.youtube.com/shorts/BBBBBBBBBBB" }));
  const idx = videoIndex(d);
  assert.equal(idx.get("AAAAAAAAAAA"), "a/1.mp4");
  assert.equal(idx.get("BBBBBBBBBBB"), "b/2.mkv");
  assert.equal(idx.get("1"), "a/1.mp4");
});

test("no annotation file: one error naming both places looked; the archive still zipped: a problem saying how to unzip", async () => {
  const d = join(root, "empty");
  mkdirSync(d, { recursive: true });
  await assert.rejects(lvbench.load(d, { preset: "llava_vid" }), (e: Error) => {
    assert.match(e.message, /expected the annotation file .*empty\/video_info\.meta\.jsonl or .*empty\/data\/video_info\.meta\.jsonl/);
    return true;
  });
  const z = join(root, "zipped");
  file(join(z, "video_info.meta.jsonl"), row("Cm73ma6Ibcs", "1") + "\n");
  file(join(z, "all_videos_split.zip.001"));
  const { problems } = await lvbench.load(z, { preset: "llava_vid" });
  assert.equal(problems.length, 1);
  assert.match(problems[0], /still in all_videos_split\.zip\.\*: join and unzip them there/);
});

test("MLVU: --data may name the snapshot's root, whose json/ and video/ lie under MLVU/", async () => {
  const { mlvu } = await import("../../src/bench-eval/benchmarks/mlvu.ts");
  const d = join(root, "mlvu-snapshot");
  file(
    join(d, "MLVU", "json", "4_count.json"),
    JSON.stringify([{ video: "c.mp4", duration: 3, question: "Q?", candidates: ["a", "b"], answer: "b", question_type: "count" }]),
  );
  const { items } = await mlvu.load(d, { preset: "llava_vid" });
  assert.deepEqual(
    items.map((it) => [it.videoPath, it.answer]),
    [["MLVU/video/4_count/c.mp4", "B"]],
  );
});
