// Shared bits of the hand-written SVG charts (dataset statistics, loss curves, evaluation reports): text
// escaping and rendering to PNG with resvg.
import { Resvg } from "@resvg/resvg-js";

export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** PNG of an SVG at `zoom` × its own size, on white, with the system's fonts. */
export function svgToPng(svg: string, zoom = 1.5): Buffer {
  const r = new Resvg(svg, { fitTo: { mode: "zoom", value: zoom }, font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" }, background: "#ffffff" });
  return r.render().asPng();
}
