// Held-out accuracy against examples seen, several runs in one chart (the language stage's arms): one colour per
// run, one dash pattern per drill kind, and a dotted line per chance level.
import { compactNumber, niceTicks } from "../data/plots.ts";
import { escapeXml } from "../util/svg.ts";

export interface CurveSeries {
  label: string;
  /** [x, y] with y in 0..1. */
  points: [number, number][];
  /** Index into the palette (runs share a colour across their kinds). */
  colour: number;
  /** 0: solid; 1, 2, 3: ever finer dashes (a run's second, third… kind). */
  dash?: number;
}

const DASHES = ["", "8 4", "3 3", "1 3"];

const PALETTE = ["#08519c", "#a63603", "#006d2c", "#54278f", "#b30000", "#525252"];

export function accuracyCurvesSvg(o: { title: string; xLabel: string; series: CurveSeries[]; chance?: { label: string; y: number }[] }): string {
  const W = 940;
  const H = 420;
  const m = { l: 56, r: 390, t: 36, b: 48 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const xMax = Math.max(1, ...o.series.flatMap((s) => s.points.map((p) => p[0])));
  const xt = niceTicks(xMax);
  const xs = (x: number) => m.l + (x / xt[xt.length - 1]) * pw;
  const ys = (y: number) => m.t + (1 - y) * ph;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${m.l}" y="22" font-size="14" font-weight="bold">${escapeXml(o.title)}</text>`,
  ];
  for (const y of [0, 0.25, 0.5, 0.75, 1]) {
    out.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${ys(y)}" y2="${ys(y)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${m.l - 6}" y="${ys(y) + 4}" text-anchor="end">${Math.round(y * 100)} %</text>`);
  }
  for (const x of xt) out.push(`<text x="${xs(x)}" y="${m.t + ph + 18}" text-anchor="middle">${compactNumber(x)}</text>`);
  out.push(`<text x="${m.l + pw / 2}" y="${H - 10}" text-anchor="middle">${escapeXml(o.xLabel)}</text>`);
  for (const c of o.chance ?? []) {
    out.push(`<line x1="${m.l}" x2="${m.l + pw}" y1="${ys(c.y)}" y2="${ys(c.y)}" stroke="#999" stroke-dasharray="2 3"/>`);
    out.push(`<text x="${m.l + pw - 4}" y="${ys(c.y) - 4}" text-anchor="end" fill="#777">${escapeXml(c.label)}</text>`);
  }
  o.series.forEach((s, i) => {
    const colour = PALETTE[s.colour % PALETTE.length];
    const pattern = DASHES[(s.dash ?? 0) % DASHES.length];
    const dash = pattern ? ` stroke-dasharray="${pattern}"` : "";
    const d = s.points.map((p, k) => `${k ? "L" : "M"}${xs(p[0]).toFixed(1)},${ys(p[1]).toFixed(1)}`).join("");
    out.push(`<path d="${d}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`);
    const ly = m.t + 10 + i * 18;
    out.push(`<line x1="${m.l + pw + 14}" x2="${m.l + pw + 40}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${m.l + pw + 46}" y="${ly + 4}">${escapeXml(s.label)}</text>`);
  });
  out.push(`<rect x="${m.l}" y="${m.t}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`, `</svg>`);
  return out.join("\n");
}
