import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { StatsAccumulator, renderMarkdownReport } from "../../src/data/stats.ts";
import { writeStatsPlots, niceTicks, compactNumber, barChartSvg } from "../../src/data/plots.ts";
import { escapeXml } from "../../src/util/svg.ts";
import type { DataRecord, QaRecord } from "../../src/data/record.ts";
import { tempDir } from "./tmp.ts";

const q = (
  video: string,
  source: QaRecord["data_source"],
  duration: number | undefined,
  events: number | undefined,
  task: string,
  type: "OE" | "MC",
): QaRecord => ({
  video,
  data_source: source,
  duration,
  events,
  task,
  question_type: type,
  question: "q?",
  answer: "a",
  ...(type === "MC" ? { options: ["a", "b"] } : {}),
});

function sample(): DataRecord[] {
  return [
    q("v1.mp4", "panda", 250, 3, "Object Recognition", "OE"), // 4.17 min, bin 0–5
    q("v1.mp4", "panda", 250, 3, "Temporal Order", "MC"),
    q("v1.mp4", "panda", 250, 3, "Object Attribute", "MC"),
    q("v2.mp4", "ego4d", 3600, 12, "Scene Transition", "OE"), // exactly 60 min → last bin
    q("v2.mp4", "ego4d", 3600, 12, "Overall Summarization", "OE"),
    q("v3.mp4", "youcook2", 1500, 5, "Action Recognition", "MC"), // 25 min → bin 25–30; 5 events → bin 5–10
    q("v1.mp4", "ego4d", undefined, undefined, "Spatial Reasoning", "OE"), // same file name, other source: another video
    {
      video: "v4.mp4",
      data_source: "moviechat",
      conversations: [
        { from: "human", value: "Q" },
        { from: "gpt", value: "A" },
        { from: "human", value: "Q2" },
        { from: "gpt", value: "A2" },
      ],
    },
  ];
}

test("stats: counts, shares and histograms on a small set", () => {
  const acc = new StatsAccumulator();
  for (const r of sample()) acc.add(r);
  const s = acc.finish();
  assert.equal(s.records, 8);
  assert.equal(s.qa, 9);
  assert.equal(s.videos, 5);
  assert.deepEqual([s.oe, s.mc, s.untyped], [4, 3, 2]);
  assert.deepEqual(s.videosBySource, { activitynet: 0, ego4d: 2, moviechat: 1, panda: 1, youcook2: 1 });
  assert.deepEqual(s.qaBySource, { activitynet: 0, ego4d: 3, moviechat: 2, panda: 3, youcook2: 1 });
  assert.deepEqual(s.qaByTopic, { Temporality: 1, Spatiality: 1, Object: 2, Action: 1, Scene: 1, Event: 1 });
  assert.equal(s.qaByTask["Object Recognition"], 1);
  assert.equal(s.qaByTask["Overall Summarization"], 1);
  assert.ok(Math.abs(s.topicShare.Object - 2 / 7) < 1e-12);
  assert.deepEqual(s.durationMinutes.edges, [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60]);
  assert.deepEqual(s.durationMinutes.counts, [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]);
  assert.equal(s.durationMinutes.missing, 2);
  assert.deepEqual(s.eventsPerVideo.edges, [0, 5, 10, 15]);
  assert.deepEqual(s.eventsPerVideo.counts, [1, 1, 1]);
  assert.equal(s.eventsPerVideo.missing, 2);
  assert.ok(Math.abs(s.totalHours - (250 + 3600 + 1500) / 3600) < 1e-12);
  assert.ok(Math.abs(s.meanDurationMin - (250 + 3600 + 1500) / 60 / 3) < 1e-12);
  assert.equal(s.meanQaPerVideo, 9 / 5);
  const md = renderMarkdownReport(s);
  assert.ok(md.includes("| 8 | 9 | 5 | 1.5 | 29.7 | 1.8 | 4 (57.1%) | 3 (42.9%) |"), md);
  assert.ok(md.includes("| ego4d | 2 | 40.0% | 3 | 1.0 |"));
  assert.ok(md.includes("| Object | 2 | 28.6% |"));
  assert.ok(md.includes("| 55–60 min | 1 |"));
  assert.ok(md.includes("| unknown | 2 |"));
  assert.ok(md.includes("2 QA pairs have no known task"));
});

test("stats: durations that disagree within a video are counted, the largest kept", () => {
  const acc = new StatsAccumulator();
  acc.add(q("a.mp4", "panda", 100, 3, "Object Recognition", "OE"));
  acc.add(q("a.mp4", "panda", 400, 3, "Object Recognition", "OE"));
  acc.add(q("a.mp4", "panda", 500, 3, "Object Recognition", "OE"));
  const s = acc.finish();
  assert.equal(s.inconsistentDurations, 1);
  assert.deepEqual(s.durationMinutes.counts.slice(0, 2), [0, 1]);
});

test("plot helpers: ticks, number labels, escaping", () => {
  assert.deepEqual(niceTicks(9237), [0, 2000, 4000, 6000, 8000, 10000]);
  assert.deepEqual(niceTicks(3), [0, 1, 2, 3]);
  assert.deepEqual(niceTicks(0), [0, 1]);
  assert.equal(compactNumber(1730000), "1.73M");
  assert.equal(compactNumber(12345), "12.3K");
  assert.equal(compactNumber(950), "950");
  assert.equal(escapeXml(`a<b & "c">`), "a&lt;b &amp; &quot;c&quot;&gt;");
  const svg = barChartSvg({ title: "T <1>", labels: ["x&y"], values: [5] });
  assert.ok(svg.includes("T &lt;1&gt;") && svg.includes("x&amp;y"));
});

test("plots: every chart written as SVG and a PNG of the right size", () => {
  const acc = new StatsAccumulator();
  for (const r of sample()) acc.add(r);
  const dir = tempDir();
  const files = writeStatsPlots(acc.finish(), dir);
  const names = ["data-sources", "question-types", "duration-histogram", "events-histogram", "qa-per-task", "qa-per-topic", "oe-vs-mc"];
  assert.deepEqual(
    files,
    names.flatMap((n) => [join(dir, `${n}.svg`), join(dir, `${n}.png`)]),
  );
  for (const n of names) {
    const svg = readFileSync(join(dir, `${n}.svg`), "utf8");
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="(\d+)" height="(\d+)"/);
    assert.ok(svg.trimEnd().endsWith("</svg>"));
    assert.equal((svg.match(/<text /g) ?? []).length, (svg.match(/<\/text>/g) ?? []).length);
    const [, w, h] = /width="(\d+)" height="(\d+)"/.exec(svg)!.map(Number);
    const png = readFileSync(join(dir, `${n}.png`));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(png.toString("ascii", 12, 16), "IHDR");
    assert.equal(png.readUInt32BE(16), Math.round(w * 1.5));
    assert.equal(png.readUInt32BE(20), Math.round(h * 1.5));
    assert.ok(statSync(join(dir, `${n}.png`)).size > 2000);
  }
  const donut = readFileSync(join(dir, "data-sources.svg"), "utf8");
  assert.ok(donut.includes(">Ego4D  40.0%</text>"));
  assert.ok(donut.includes(">Panda-70M  20.0%</text>"));
});
