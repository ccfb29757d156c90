// Hand-written SVG charts for the dataset statistics (bar, donut, histogram), rendered to PNG with resvg.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { escapeXml, svgToPng } from "../util/svg.ts";
import { writeFileAtomic } from "../io/atomic.ts";
import { TASKS, TOPICS } from "./taxonomy.ts";
import { DATA_SOURCES } from "./record.ts";
import type { DatasetStats, Histogram } from "./stats.ts";

const FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif";
const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

const n2 = (x: number) => (Math.round(x * 100) / 100).toString();

function text(x: number, y: number, s: string, attrs = ""): string {
  return `<text x="${n2(x)}" y="${n2(y)}" ${attrs}>${escapeXml(s)}</text>`;
}

function frame(width: number, height: number, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    text(width / 2, 30, title, `text-anchor="middle" font-size="20" font-weight="bold" fill="#222"`),
    ...body,
    `</svg>`,
  ].join("\n");
}

/** Round axis ticks from 0 to at least `max`. */
export function niceTicks(max: number, target = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 1e-9; v += step) ticks.push(Math.round(v / step) * step);
  if (ticks[ticks.length - 1] < max) ticks.push(ticks[ticks.length - 1] + step);
  return ticks;
}

/** 1234567 → "1.2M", 12345 → "12.3K". */
export function compactNumber(x: number): string {
  const a = Math.abs(x);
  if (a >= 1e6) return `${n2(x / 1e6)}M`;
  if (a >= 1e4) return `${(x / 1e3).toFixed(1).replace(/\.0$/, "")}K`;
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

export interface BarChartSpec {
  title: string;
  labels: string[];
  values: number[];
  xLabel?: string;
  yLabel?: string;
  /** Horizontal bars suit many or long labels. */
  horizontal?: boolean;
  width?: number;
  colors?: string[];
}

export function barChartSvg(spec: BarChartSpec): string {
  const { labels, values } = spec;
  const max = Math.max(0, ...values);
  const ticks = niceTicks(max);
  const top = ticks[ticks.length - 1] || 1;
  const body: string[] = [];
  const color = (i: number) => spec.colors?.[i % spec.colors.length] ?? PALETTE[0];
  if (spec.horizontal) {
    const labelW = Math.max(80, Math.max(...labels.map((l) => l.length)) * 7.5 + 16);
    const width = spec.width ?? 900;
    const barH = 22;
    const gap = 6;
    const plotTop = 55;
    const plotH = labels.length * (barH + gap);
    const height = plotTop + plotH + 70;
    const x0 = labelW;
    const plotW = width - x0 - 70;
    for (const t of ticks) {
      const x = x0 + (t / top) * plotW;
      body.push(`<line x1="${n2(x)}" y1="${plotTop}" x2="${n2(x)}" y2="${plotTop + plotH}" stroke="#ddd"/>`);
      body.push(text(x, plotTop + plotH + 18, compactNumber(t), `text-anchor="middle" font-size="12" fill="#333"`));
    }
    labels.forEach((l, i) => {
      const y = plotTop + i * (barH + gap);
      const w = (values[i] / top) * plotW;
      body.push(`<rect x="${x0}" y="${y}" width="${n2(w)}" height="${barH}" fill="${color(i)}"/>`);
      body.push(text(x0 - 8, y + barH / 2 + 4.5, l, `text-anchor="end" font-size="13" fill="#222"`));
      body.push(text(x0 + w + 5, y + barH / 2 + 4.5, compactNumber(values[i]), `font-size="12" fill="#444"`));
    });
    body.push(`<line x1="${x0}" y1="${plotTop}" x2="${x0}" y2="${plotTop + plotH}" stroke="#333"/>`);
    if (spec.xLabel) body.push(text(x0 + plotW / 2, plotTop + plotH + 44, spec.xLabel, `text-anchor="middle" font-size="14" fill="#222"`));
    return frame(width, height, spec.title, body);
  }
  const width = spec.width ?? Math.max(520, labels.length * 90 + 140);
  const height = 480;
  const x0 = 90;
  const plotTop = 55;
  const plotH = height - plotTop - 110;
  const plotW = width - x0 - 30;
  const slot = plotW / Math.max(1, labels.length);
  for (const t of ticks) {
    const y = plotTop + plotH - (t / top) * plotH;
    body.push(`<line x1="${x0}" y1="${n2(y)}" x2="${x0 + plotW}" y2="${n2(y)}" stroke="#ddd"/>`);
    body.push(text(x0 - 8, y + 4, compactNumber(t), `text-anchor="end" font-size="12" fill="#333"`));
  }
  labels.forEach((l, i) => {
    const h = (values[i] / top) * plotH;
    const x = x0 + i * slot + slot * 0.15;
    body.push(`<rect x="${n2(x)}" y="${n2(plotTop + plotH - h)}" width="${n2(slot * 0.7)}" height="${n2(h)}" fill="${color(i)}"/>`);
    body.push(text(x + slot * 0.35, plotTop + plotH - h - 6, compactNumber(values[i]), `text-anchor="middle" font-size="12" fill="#444"`));
    body.push(text(x + slot * 0.35, plotTop + plotH + 20, l, `text-anchor="middle" font-size="13" fill="#222"`));
  });
  body.push(`<line x1="${x0}" y1="${plotTop + plotH}" x2="${x0 + plotW}" y2="${plotTop + plotH}" stroke="#333"/>`);
  body.push(`<line x1="${x0}" y1="${plotTop}" x2="${x0}" y2="${plotTop + plotH}" stroke="#333"/>`);
  if (spec.xLabel) body.push(text(x0 + plotW / 2, plotTop + plotH + 55, spec.xLabel, `text-anchor="middle" font-size="14" fill="#222"`));
  if (spec.yLabel)
    body.push(
      text(22, plotTop + plotH / 2, spec.yLabel, `text-anchor="middle" font-size="14" fill="#222" transform="rotate(-90 22 ${n2(plotTop + plotH / 2)})"`),
    );
  return frame(width, height, spec.title, body);
}

export interface HistogramSpec {
  title: string;
  hist: Histogram;
  xLabel: string;
  yLabel: string;
  color?: string;
}

export function histogramSvg(spec: HistogramSpec): string {
  const { edges, counts } = spec.hist;
  const width = 760;
  const height = 460;
  const x0 = 90;
  const plotTop = 55;
  const plotH = height - plotTop - 90;
  const plotW = width - x0 - 30;
  const ticks = niceTicks(Math.max(0, ...counts));
  const top = ticks[ticks.length - 1] || 1;
  const bw = plotW / Math.max(1, counts.length);
  const body: string[] = [];
  for (const t of ticks) {
    const y = plotTop + plotH - (t / top) * plotH;
    body.push(`<line x1="${x0}" y1="${n2(y)}" x2="${x0 + plotW}" y2="${n2(y)}" stroke="#ddd"/>`);
    body.push(text(x0 - 8, y + 4, compactNumber(t), `text-anchor="end" font-size="12" fill="#333"`));
  }
  counts.forEach((c, i) => {
    const h = (c / top) * plotH;
    body.push(`<rect x="${n2(x0 + i * bw + 1)}" y="${n2(plotTop + plotH - h)}" width="${n2(bw - 2)}" height="${n2(h)}" fill="${spec.color ?? PALETTE[0]}"/>`);
  });
  // Label every edge when there is room, else every other one.
  const every = edges.length > 16 ? 2 : 1;
  edges.forEach((e, i) => {
    if (i % every !== 0) return;
    const x = x0 + i * bw;
    body.push(`<line x1="${n2(x)}" y1="${plotTop + plotH}" x2="${n2(x)}" y2="${plotTop + plotH + 5}" stroke="#333"/>`);
    body.push(text(x, plotTop + plotH + 20, String(e), `text-anchor="middle" font-size="12" fill="#333"`));
  });
  body.push(`<line x1="${x0}" y1="${plotTop + plotH}" x2="${x0 + plotW}" y2="${plotTop + plotH}" stroke="#333"/>`);
  body.push(`<line x1="${x0}" y1="${plotTop}" x2="${x0}" y2="${plotTop + plotH}" stroke="#333"/>`);
  body.push(text(x0 + plotW / 2, plotTop + plotH + 48, spec.xLabel, `text-anchor="middle" font-size="14" fill="#222"`));
  body.push(
    text(22, plotTop + plotH / 2, spec.yLabel, `text-anchor="middle" font-size="14" fill="#222" transform="rotate(-90 22 ${n2(plotTop + plotH / 2)})"`),
  );
  return frame(width, height, spec.title, body);
}

export interface DonutSpec {
  title: string;
  labels: string[];
  values: number[];
  /** What the total in the middle counts. */
  unit?: string;
}

export function donutSvg(spec: DonutSpec): string {
  const width = 640;
  const height = 400;
  const cx = 200;
  const cy = 215;
  const R = 140;
  const r = 80;
  const total = spec.values.reduce((a, b) => a + b, 0);
  const body: string[] = [];
  let a0 = -Math.PI / 2;
  const pt = (rad: number, a: number) => `${n2(cx + rad * Math.cos(a))} ${n2(cy + rad * Math.sin(a))}`;
  spec.values.forEach((v, i) => {
    if (!(v > 0) || !total) return;
    const color = PALETTE[i % PALETTE.length];
    if (v === total) {
      // A full ring cannot be drawn as one arc.
      body.push(`<circle cx="${cx}" cy="${cy}" r="${(R + r) / 2}" fill="none" stroke="${color}" stroke-width="${R - r}"/>`);
      return;
    }
    const a1 = a0 + (2 * Math.PI * v) / total;
    const large = a1 - a0 > Math.PI ? 1 : 0;
    body.push(
      `<path d="M ${pt(R, a0)} A ${R} ${R} 0 ${large} 1 ${pt(R, a1)} L ${pt(r, a1)} A ${r} ${r} 0 ${large} 0 ${pt(r, a0)} Z" fill="${color}" stroke="#fff" stroke-width="1.5"/>`,
    );
    a0 = a1;
  });
  if (!total) body.push(`<circle cx="${cx}" cy="${cy}" r="${(R + r) / 2}" fill="none" stroke="#ddd" stroke-width="${R - r}"/>`);
  body.push(text(cx, cy + (spec.unit ? 0 : 6), compactNumber(total), `text-anchor="middle" font-size="18" fill="#222"`));
  if (spec.unit) body.push(text(cx, cy + 20, spec.unit, `text-anchor="middle" font-size="13" fill="#555"`));
  spec.labels.forEach((l, i) => {
    const y = 110 + i * 30;
    const share = total ? ((100 * spec.values[i]) / total).toFixed(1) : "0.0";
    body.push(`<rect x="390" y="${y - 13}" width="16" height="16" fill="${PALETTE[i % PALETTE.length]}"/>`);
    body.push(text(414, y, `${l}  ${share}%`, `font-size="15" fill="#222"`));
  });
  return frame(width, height, spec.title, body);
}

/** Every chart of the statistics as name → SVG text. */
export function statsCharts(s: DatasetStats): Record<string, string> {
  const sourceLabel: Record<string, string> = {
    panda: "Panda-70M",
    ego4d: "Ego4D",
    activitynet: "ActivityNet",
    youcook2: "YouCook2",
    moviechat: "MovieChat-1K",
  };
  return {
    "data-sources": donutSvg({
      title: "Data sources (videos)",
      labels: DATA_SOURCES.map((k) => sourceLabel[k]),
      values: DATA_SOURCES.map((k) => s.videosBySource[k] ?? 0),
      unit: "videos",
    }),
    "question-types": donutSvg({
      title: "Question types (QA pairs by topic)",
      labels: [...TOPICS],
      values: TOPICS.map((t) => s.qaByTopic[t]),
      unit: "QA pairs",
    }),
    "duration-histogram": histogramSvg({ title: "Video duration", hist: s.durationMinutes, xLabel: "duration (minutes)", yLabel: "videos" }),
    "events-histogram": histogramSvg({ title: "Events per video", hist: s.eventsPerVideo, xLabel: "number of events", yLabel: "videos", color: PALETTE[1] }),
    "qa-per-task": barChartSvg({
      title: "QA pairs per task",
      labels: TASKS.map((t) => t.name),
      values: TASKS.map((t) => s.qaByTask[t.name]),
      horizontal: true,
      xLabel: "QA pairs",
      colors: TASKS.map((t) => PALETTE[TOPICS.indexOf(t.topic)]),
    }),
    "qa-per-topic": barChartSvg({
      title: "QA pairs per topic",
      labels: [...TOPICS],
      values: TOPICS.map((t) => s.qaByTopic[t]),
      yLabel: "QA pairs",
      colors: PALETTE,
    }),
    "oe-vs-mc": barChartSvg({
      title: "Open-ended vs multiple-choice",
      labels: ["open-ended (OE)", "multiple-choice (MC)"],
      values: [s.oe, s.mc],
      yLabel: "QA pairs",
      colors: [PALETTE[0], PALETTE[1]],
      width: 520,
    }),
  };
}

/** Writes each chart as .svg and .png into `dir`; returns the paths written. */
export function writeStatsPlots(s: DatasetStats, dir: string, opts: { png?: boolean } = {}): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, svg] of Object.entries(statsCharts(s))) {
    const svgPath = join(dir, `${name}.svg`);
    writeFileAtomic(svgPath, svg);
    written.push(svgPath);
    if (opts.png !== false) {
      const pngPath = join(dir, `${name}.png`);
      writeFileAtomic(pngPath, svgToPng(svg));
      written.push(pngPath);
    }
  }
  return written;
}
