// Rasterises frame t of a world as packed RGB (uint8, row-major, 3 bytes a pixel). Pure integer/IEEE
// arithmetic (no trig), so frames are bit-identical everywhere. A pixel belongs to a shape when its centre
// lies inside; shapes have no anti-aliasing, so an object's centre pixel is exactly its palette colour.
import { frameState } from "./state.ts";
import { FLASH_RGB, OBJECT_RGB, SCENE_LOOK, type Pattern } from "./palette.ts";
import type { World } from "./world.ts";
import type { SceneName, Shape } from "./vocab.ts";

export interface Resolution {
  width: number;
  height: number;
}

export const MAX_RENDER_SIDE = 4096;

export function checkResolution(r: Resolution): void {
  for (const k of ["width", "height"] as const) {
    const v = r[k];
    if (!Number.isInteger(v) || v < 8 || v > MAX_RENDER_SIDE) {
      throw new Error(`render: ${k} must be an integer in [8, ${MAX_RENDER_SIDE}], got ${JSON.stringify(v)}`);
    }
  }
}

const bgCache = new Map<string, Uint8Array>();

function patternOn(p: Pattern, x: number, y: number, h: number, period: number): boolean {
  switch (p) {
    case "floor":
      return y >= Math.floor(h * 0.7);
    case "hstripes":
      return Math.floor(y / period) % 2 === 1;
    case "vstripes":
      return Math.floor(x / period) % 2 === 1;
    case "dots":
      return (
        x % (2 * period) >= period &&
        x % (2 * period) < period + Math.max(1, period >> 1) &&
        y % (2 * period) >= period &&
        y % (2 * period) < period + Math.max(1, period >> 1)
      );
    case "checks":
      return (Math.floor(x / period) + Math.floor(y / period)) % 2 === 1;
    case "diagonal":
      return Math.floor((x + y) / period) % 2 === 1;
  }
}

/** The scene's background at this resolution (cached: a long video reuses a handful). */
export function sceneBackground(scene: SceneName, width: number, height: number): Uint8Array {
  const key = `${scene}@${width}x${height}`;
  let bg = bgCache.get(key);
  if (bg) return bg;
  if (bgCache.size > 64) bgCache.clear();
  const look = SCENE_LOOK[scene];
  const period = Math.max(2, Math.round(Math.min(width, height) / 8));
  bg = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = patternOn(look.pattern, x, y, height, period) ? look.alt : look.base;
      const i = (y * width + x) * 3;
      bg[i] = c[0];
      bg[i + 1] = c[1];
      bg[i + 2] = c[2];
    }
  }
  bgCache.set(key, bg);
  return bg;
}

const INV_SQRT3 = 1 / Math.sqrt(3);

/** Whether offset (dx, dy) from the centre lies inside a shape of circumradius r (pixels). */
export function insideShape(shape: Shape, dx: number, dy: number, r: number): boolean {
  switch (shape) {
    case "circle":
      return dx * dx + dy * dy <= r * r;
    case "square":
      return Math.abs(dx) <= 0.7 * r && Math.abs(dy) <= 0.7 * r;
    case "diamond":
      return Math.abs(dx) + Math.abs(dy) <= r;
    case "triangle":
      // Apex up at (0, -r), base at y = r/2; centroid at the centre.
      return dy <= r / 2 && Math.abs(dx) <= (dy + r) * INV_SQRT3;
  }
}

/** Centre of an object in pixel coordinates and its radius in pixels. */
export function toPixels(pos: { x: number; y: number }, radius: number, res: Resolution): { cx: number; cy: number; r: number } {
  return { cx: pos.x * res.width, cy: pos.y * res.height, r: radius * Math.min(res.width, res.height) };
}

export function renderFrame(world: World, t: number, res: Resolution, out?: Uint8Array): Uint8Array {
  checkResolution(res);
  const { width, height } = res;
  const n = width * height * 3;
  if (out && out.length !== n) throw new Error(`render: output buffer has ${out.length} bytes, ${width}x${height} RGB needs ${n}`);
  const buf = out ?? new Uint8Array(n);
  const st = frameState(world, t);
  buf.set(sceneBackground(st.scene.scene, width, height));

  for (const v of st.objects) {
    const { cx, cy, r } = toPixels(v.pos, v.object.radius, res);
    const [cr, cg, cb] = OBJECT_RGB[v.object.colour];
    const x0 = Math.max(0, Math.floor(cx - r));
    const x1 = Math.min(width - 1, Math.ceil(cx + r));
    const y0 = Math.max(0, Math.floor(cy - r));
    const y1 = Math.min(height - 1, Math.ceil(cy + r));
    for (let y = y0; y <= y1; y++) {
      const dy = y + 0.5 - cy;
      for (let x = x0; x <= x1; x++) {
        if (!insideShape(v.object.shape, x + 0.5 - cx, dy, r)) continue;
        const i = (y * width + x) * 3;
        buf[i] = cr;
        buf[i + 1] = cg;
        buf[i + 2] = cb;
      }
    }
  }

  if (st.flash) {
    const th = Math.max(1, Math.round(Math.min(width, height) / 16));
    for (let y = 0; y < height; y++) {
      const edgeRow = y < th || y >= height - th;
      for (let x = 0; x < width; x++) {
        if (!edgeRow && x >= th && x < width - th) continue;
        const i = (y * width + x) * 3;
        buf[i] = FLASH_RGB[0];
        buf[i + 1] = FLASH_RGB[1];
        buf[i + 2] = FLASH_RGB[2];
      }
    }
  }
  return buf;
}

/** Every frame in order, reusing one buffer unless copy is set (consume each frame before the next). */
export function* renderFrames(world: World, res: Resolution, opts: { copy?: boolean } = {}): Generator<Uint8Array> {
  checkResolution(res);
  const buf = new Uint8Array(res.width * res.height * 3);
  for (let t = 0; t < world.durationS; t++) {
    renderFrame(world, t, res, buf);
    yield opts.copy ? buf.slice() : buf;
  }
}
