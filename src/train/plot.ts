// Loss curves as SVG (and PNG through resvg): raw loss and its moving average, one run or several stages drawn
// one after another on a shared step axis (each stage in its own colour, a dashed line where the next starts).
import { escapeXml, svgToPng } from "../util/svg.ts";
import { writeFileAtomic } from "../io/atomic.ts";

export interface LossPoint {
  step: number;
  loss: number;
}

export interface LossSegment {
  label: string;
  points: LossPoint[];
}

const COLOURS = [
  ["#9ecae1", "#08519c"],
  ["#fdae6b", "#a63603"],
  ["#a1d99b", "#006d2c"],
  ["#bcbddc", "#54278f"],
];

function movingAverage(points: LossPoint[]): number[] {
  const win = Math.max(1, Math.round(points.length / 30));
  return points.map((_, i) => {
    const a = points.slice(Math.max(0, i - win + 1), i + 1);
    return a.reduce((s, p) => s + p.loss, 0) / a.length;
  });
}

export function lossCurveSvg(segments: LossSegment[], title: string): string {
  const W = 720;
  const Hh = 360;
  const m = { l: 60, r: 20, t: 36, b: 44 };
  // Each segment continues the step axis where the previous one ended.
  let offset = 0;
  const placed = segments.map((s) => {
    const pts = s.points.map((p) => ({ step: p.step + offset, loss: p.loss }));
    const start = offset;
    offset += s.points.length ? Math.max(...s.points.map((p) => p.step)) : 0;
    return { label: s.label, pts, start };
  });
  const all = placed.flatMap((s) => s.pts);
  const x1 = Math.max(offset, 1);
  const y1 = Math.max(...all.map((p) => p.loss), 1e-9) * 1.05;
  const X = (s: number) => m.l + (s / x1) * (W - m.l - m.r);
  const Y = (v: number) => Hh - m.b - (v / y1) * (Hh - m.t - m.b);
  const path = (pts: LossPoint[], vals: number[]) => pts.map((p, i) => `${i ? "L" : "M"}${X(p.step).toFixed(1)},${Y(vals[i]).toFixed(1)}`).join("");
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = y1 * f;
    return `<line x1="${m.l}" x2="${W - m.r}" y1="${Y(v)}" y2="${Y(v)}" stroke="#eee"/><text x="${m.l - 6}" y="${Y(v) + 4}" text-anchor="end" font-size="11">${v.toFixed(2)}</text>`;
  });
  const xt = [0, 0.5, 1].map((f) => {
    const s = Math.round(x1 * f);
    return `<text x="${X(s)}" y="${Hh - m.b + 16}" text-anchor="middle" font-size="11">${s}</text>`;
  });
  const curves = placed.map((s, k) => {
    const [raw, avg] = COLOURS[k % COLOURS.length];
    const lines = [
      `<path d="${path(
        s.pts,
        s.pts.map((p) => p.loss),
      )}" fill="none" stroke="${raw}" stroke-width="1"/>`,
      `<path d="${path(s.pts, movingAverage(s.pts))}" fill="none" stroke="${avg}" stroke-width="2"/>`,
    ];
    if (k > 0) lines.push(`<line x1="${X(s.start)}" x2="${X(s.start)}" y1="${m.t}" y2="${Hh - m.b}" stroke="#666" stroke-dasharray="4 3"/>`);
    if (s.label) lines.push(`<text x="${X(s.start) + 4}" y="${m.t + 14}" font-size="12" fill="${avg}">${escapeXml(s.label)}</text>`);
    return lines.join("\n");
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${Hh}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>
${ticks.join("\n")}
${xt.join("\n")}
<text x="${W / 2}" y="${Hh - 8}" text-anchor="middle" font-size="12">step</text>
<text x="16" y="${Hh / 2}" transform="rotate(-90 16 ${Hh / 2})" text-anchor="middle" font-size="12">loss</text>
${curves.join("\n")}
</svg>`;
}

export function writeLossPlot(base: string, segments: LossSegment[], title: string): void {
  const svg = lossCurveSvg(segments, title);
  writeFileAtomic(`${base}.svg`, svg);
  writeFileAtomic(`${base}.png`, svgToPng(svg, 1));
}
