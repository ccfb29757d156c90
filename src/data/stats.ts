// Dataset statistics, accumulated record by record. Memory grows only with the number of videos (one
// small aggregate each; 28K for VideoMarathon), never with the number of QA pairs.
import { TASKS, TOPICS, findTask } from "./taxonomy.ts";
import { DATA_SOURCES, isConversationRecord, qaCount, videoKey, type DataRecord } from "./record.ts";

export const DURATION_BIN_MIN = 5;
export const DURATION_MAX_MIN = 60;
export const EVENT_BIN = 5;

interface VideoAgg {
  source: string;
  duration?: number;
  events?: number;
  qa: number;
  inconsistent?: boolean;
}

export interface Histogram {
  /** Bin edges, length = counts.length + 1; bin i is [edges[i], edges[i+1]). */
  edges: number[];
  counts: number[];
  /** Values at or above the last edge (the last bin is closed for durations: exactly 60 min counts in 55–60). */
  over: number;
  /** Videos with no value. */
  missing: number;
}

export interface DatasetStats {
  records: number;
  qa: number;
  videos: number;
  oe: number;
  mc: number;
  /** QA pairs whose task is not known (conversation records carry none). */
  untyped: number;
  qaByTask: Record<string, number>;
  qaByTopic: Record<string, number>;
  /** Share (0–1) of each topic among QA pairs with a known topic: the paper's "question types" donut. */
  topicShare: Record<string, number>;
  videosBySource: Record<string, number>;
  qaBySource: Record<string, number>;
  hoursBySource: Record<string, number>;
  durationMinutes: Histogram;
  eventsPerVideo: Histogram;
  totalHours: number;
  meanDurationMin: number;
  meanQaPerVideo: number;
  /** Videos whose rows gave different durations (the largest is kept). */
  inconsistentDurations: number;
}

const zeroMap = (keys: readonly string[]) => Object.fromEntries(keys.map((k) => [k, 0])) as Record<string, number>;

export class StatsAccumulator {
  private records = 0;
  private qa = 0;
  private oe = 0;
  private mc = 0;
  private untyped = 0;
  private inconsistent = 0;
  private byTask = zeroMap(TASKS.map((t) => t.name));
  private byTopic = zeroMap(TOPICS);
  private qaBySource = zeroMap(DATA_SOURCES);
  private videos = new Map<string, VideoAgg>();

  add(r: DataRecord): void {
    this.records++;
    const n = qaCount(r);
    this.qa += n;
    this.qaBySource[r.data_source] = (this.qaBySource[r.data_source] ?? 0) + n;
    const key = videoKey(r);
    let v = this.videos.get(key);
    if (!v) {
      v = { source: r.data_source, qa: 0 };
      this.videos.set(key, v);
    }
    v.qa += n;
    if (isConversationRecord(r)) {
      this.untyped += n;
      return;
    }
    if (r.question_type === "OE") this.oe++;
    else this.mc++;
    const task = findTask(r.task);
    if (task) {
      this.byTask[task.name]++;
      this.byTopic[task.topic]++;
    } else this.untyped++;
    if (r.duration !== undefined) {
      if (v.duration !== undefined && Math.abs(v.duration - r.duration) > 1e-6 && !v.inconsistent) {
        v.inconsistent = true;
        this.inconsistent++;
      }
      v.duration = Math.max(v.duration ?? 0, r.duration);
    }
    if (r.events !== undefined) v.events = Math.max(v.events ?? 0, r.events);
  }

  finish(): DatasetStats {
    const videosBySource: Record<string, number> = zeroMap(DATA_SOURCES);
    const hoursBySource: Record<string, number> = zeroMap(DATA_SOURCES);
    const nDur = DURATION_MAX_MIN / DURATION_BIN_MIN;
    const dur: Histogram = { edges: Array.from({ length: nDur + 1 }, (_, i) => i * DURATION_BIN_MIN), counts: new Array(nDur).fill(0), over: 0, missing: 0 };
    let maxEvents = 0;
    for (const v of this.videos.values()) if (v.events !== undefined) maxEvents = Math.max(maxEvents, v.events);
    const nEv = Math.max(1, Math.floor(maxEvents / EVENT_BIN) + 1);
    const ev: Histogram = { edges: Array.from({ length: nEv + 1 }, (_, i) => i * EVENT_BIN), counts: new Array(nEv).fill(0), over: 0, missing: 0 };
    let seconds = 0;
    let withDuration = 0;
    for (const v of this.videos.values()) {
      videosBySource[v.source] = (videosBySource[v.source] ?? 0) + 1;
      if (v.duration === undefined) dur.missing++;
      else {
        seconds += v.duration;
        withDuration++;
        hoursBySource[v.source] = (hoursBySource[v.source] ?? 0) + v.duration / 3600;
        const m = v.duration / 60;
        if (m > DURATION_MAX_MIN) dur.over++;
        else dur.counts[Math.min(nDur - 1, Math.floor(m / DURATION_BIN_MIN))]++;
      }
      if (v.events === undefined) ev.missing++;
      else ev.counts[Math.floor(v.events / EVENT_BIN)]++;
    }
    const typed = Object.values(this.byTopic).reduce((a, b) => a + b, 0);
    return {
      records: this.records,
      qa: this.qa,
      videos: this.videos.size,
      oe: this.oe,
      mc: this.mc,
      untyped: this.untyped,
      qaByTask: { ...this.byTask },
      qaByTopic: { ...this.byTopic },
      topicShare: Object.fromEntries(TOPICS.map((t) => [t, typed ? this.byTopic[t] / typed : 0])),
      videosBySource,
      qaBySource: { ...this.qaBySource },
      hoursBySource,
      durationMinutes: dur,
      eventsPerVideo: ev,
      totalHours: seconds / 3600,
      meanDurationMin: withDuration ? seconds / 60 / withDuration : 0,
      meanQaPerVideo: this.videos.size ? this.qa / this.videos.size : 0,
      inconsistentDurations: this.inconsistent,
    };
  }
}

const pct = (x: number, total: number) => (total ? `${((100 * x) / total).toFixed(1)}%` : "–");
const fmt = (x: number) => x.toLocaleString("en-US");

function table(head: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

function histRows(h: Histogram, unit: string): (string | number)[][] {
  const rows: (string | number)[][] = h.counts.map((c, i) => [`${h.edges[i]}–${h.edges[i + 1]} ${unit}`, fmt(c)]);
  if (h.over) rows.push([`> ${h.edges[h.edges.length - 1]} ${unit}`, fmt(h.over)]);
  if (h.missing) rows.push(["unknown", fmt(h.missing)]);
  return rows;
}

/** The statistics as a markdown report (tables for every count the plots show). */
export function renderMarkdownReport(s: DatasetStats, title = "VideoMarathon statistics"): string {
  const out: string[] = [`# ${title}`, ""];
  out.push(
    table(
      ["records", "QA pairs", "videos", "hours", "mean duration (min)", "mean QA / video", "OE", "MC"],
      [
        [
          fmt(s.records),
          fmt(s.qa),
          fmt(s.videos),
          s.totalHours.toFixed(1),
          s.meanDurationMin.toFixed(1),
          s.meanQaPerVideo.toFixed(1),
          `${fmt(s.oe)} (${pct(s.oe, s.oe + s.mc)})`,
          `${fmt(s.mc)} (${pct(s.mc, s.oe + s.mc)})`,
        ],
      ],
    ),
    "",
  );
  if (s.untyped) out.push(`${fmt(s.untyped)} QA pairs have no known task (conversation records or unknown task names).`, "");
  if (s.inconsistentDurations) out.push(`${fmt(s.inconsistentDurations)} videos had rows with different durations; the largest was used.`, "");
  out.push("## Data sources", "");
  out.push(
    table(
      ["source", "videos", "share of videos", "QA pairs", "hours"],
      DATA_SOURCES.map((k) => [
        k,
        fmt(s.videosBySource[k] ?? 0),
        pct(s.videosBySource[k] ?? 0, s.videos),
        fmt(s.qaBySource[k] ?? 0),
        (s.hoursBySource[k] ?? 0).toFixed(1),
      ]),
    ),
    "",
  );
  out.push("## Question types (topics)", "");
  out.push(
    table(
      ["topic", "QA pairs", "share"],
      TOPICS.map((t) => [t, fmt(s.qaByTopic[t]), `${(100 * s.topicShare[t]).toFixed(1)}%`]),
    ),
    "",
  );
  out.push("## QA pairs per task", "");
  out.push(
    table(
      ["task", "topic", "form", "QA pairs"],
      TASKS.map((t) => [t.name, t.topic, t.form, fmt(s.qaByTask[t.name])]),
    ),
    "",
  );
  out.push("## Video duration", "");
  out.push(table(["duration", "videos"], histRows(s.durationMinutes, "min")), "");
  out.push("## Events per video", "");
  out.push(table(["events", "videos"], histRows(s.eventsPerVideo, "events")), "");
  return out.join("\n");
}
