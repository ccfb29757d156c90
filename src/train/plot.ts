// Loss curve as SVG (and PNG through resvg) beside the checkpoints: raw loss and its moving average.
import { escapeXml, svgToPng } from "../util/svg.ts";
import { writeFileAtomic } from "../io/atomic.ts";

export function lossCurveSvg(points: { step: number; loss: number }[], title: string): string {
  const W = 720;
  const Hh = 360;
  const m = { l: 60, r: 20, t: 36, b: 44 };
  const xs = points.map((p) => p.step);
  const ys = points.map((p) => p.loss);
  const x0 = Math.min(...xs, 0);
  const x1 = Math.max(...xs, 1);
  const y1 = Math.max(...ys, 1e-9) * 1.05;
  const X = (s: number) => m.l + ((s - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const Y = (v: number) => Hh - m.b - (v / y1) * (Hh - m.t - m.b);
  const win = Math.max(1, Math.round(points.length / 30));
  const avg = points.map((_, i) => {
    const a = points.slice(Math.max(0, i - win + 1), i + 1);
    return a.reduce((s, p) => s + p.loss, 0) / a.length;
  });
  const line = (vals: number[]) => points.map((p, i) => `${i ? "L" : "M"}${X(p.step).toFixed(1)},${Y(vals[i]).toFixed(1)}`).join("");
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = y1 * f;
    return `<line x1="${m.l}" x2="${W - m.r}" y1="${Y(v)}" y2="${Y(v)}" stroke="#eee"/><text x="${m.l - 6}" y="${Y(v) + 4}" text-anchor="end" font-size="11">${v.toFixed(2)}</text>`;
  });
  const xt = [0, 0.5, 1].map((f) => {
    const s = Math.round(x0 + (x1 - x0) * f);
    return `<text x="${X(s)}" y="${Hh - m.b + 16}" text-anchor="middle" font-size="11">${s}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${Hh}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>
${ticks.join("\n")}
${xt.join("\n")}
<text x="${W / 2}" y="${Hh - 8}" text-anchor="middle" font-size="12">step</text>
<text x="16" y="${Hh / 2}" transform="rotate(-90 16 ${Hh / 2})" text-anchor="middle" font-size="12">loss</text>
<path d="${line(ys)}" fill="none" stroke="#9ecae1" stroke-width="1"/>
<path d="${line(avg)}" fill="none" stroke="#08519c" stroke-width="2"/>
</svg>`;
}

export function writeLossPlot(base: string, points: { step: number; loss: number }[], title: string): void {
  const svg = lossCurveSvg(points, title);
  writeFileAtomic(`${base}.svg`, svg);
  writeFileAtomic(`${base}.png`, svgToPng(svg, 1));
}
