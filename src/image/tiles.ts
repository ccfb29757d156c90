// Image → normalised SigLIP tiles, as the official dataset's process_image does it with PIL: anyres
// (process_anyres_image) gives the whole image squashed to one tile, then the image resized to fit the best
// pinpoint resolution (aspect kept, ceil), pasted centred on black, cut into tiles row by row; `pad` letterboxes
// to a square in the processor's mean colour, `square` squashes. Every resize is Pillow's BICUBIC, bit-exact.
import { normalizeToCHW, preprocessFrame } from "../video/preprocess.ts";
import { resizeBicubicRGB } from "../video/resize-bicubic.ts";
import type { ImageAspect } from "./aspect.ts";
import { selectBestResolution, type Resolution } from "./pinpoints.ts";

export interface RgbImage {
  rgb: Uint8Array;
  width: number;
  height: number;
}

export interface ImageTiles {
  /** [count, 3, tile, tile], normalised. Tile 0 is the whole image; then the grid's tiles row-major. */
  pixels: Float32Array;
  count: number;
  /** The anyres grid in tiles; absent for one-tile images (pad, square). */
  grid?: { cols: number; rows: number };
}

/** PIL's Image.paste of `src` onto `dst` at (x, y), clipped to dst. */
function paste(dst: RgbImage, src: RgbImage, x: number, y: number): void {
  for (let r = Math.max(0, -y); r < src.height && r + y < dst.height; r++) {
    const x0 = Math.max(0, -x);
    const x1 = Math.min(src.width, dst.width - x);
    if (x1 > x0) dst.rgb.set(src.rgb.subarray((r * src.width + x0) * 3, (r * src.width + x1) * 3), ((r + y) * dst.width + x + x0) * 3);
  }
}

function canvas(width: number, height: number, fill = 0): RgbImage {
  return { rgb: new Uint8Array(width * height * 3).fill(fill), width, height };
}

/** resize_and_pad_image: fit inside the target keeping the aspect (the filled side exact, the other ceil'd), centred on black. */
export function resizeAndPad(img: RgbImage, [tw, th]: Resolution): RgbImage {
  const sw = tw / img.width;
  const sh = th / img.height;
  const nw = sw < sh ? tw : Math.min(Math.ceil(img.width * sh), tw);
  const nh = sw < sh ? Math.min(Math.ceil(img.height * sw), th) : th;
  const out = canvas(tw, th);
  paste(out, { rgb: resizeBicubicRGB(img.rgb, img.width, img.height, nw, nh), width: nw, height: nh }, Math.floor((tw - nw) / 2), Math.floor((th - nh) / 2));
  return out;
}

/** divide_to_patches: tile×tile crops row by row (PIL's crop fills outside the image with black). */
function crops(img: RgbImage, tile: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let y = 0; y < img.height; y += tile) {
    for (let x = 0; x < img.width; x += tile) {
      const c = canvas(tile, tile);
      paste(c, img, -x, -y);
      out.push(c.rgb);
    }
  }
  return out;
}

/** The tiles of one image under the config's image_aspect_ratio. */
export function imageTiles(img: RgbImage, aspect: ImageAspect, pinpoints: readonly Resolution[], tile: number): ImageTiles {
  const per = 3 * tile * tile;
  if (aspect.kind !== "anyres") {
    // pad: expand2square with tuple(int(0.5 * 255)) = 127 grey, then the processor's squashing resize.
    let src = img;
    if (aspect.kind === "pad" && img.width !== img.height) {
      const side = Math.max(img.width, img.height);
      src = canvas(side, side, 127);
      paste(src, img, Math.floor((side - img.width) / 2), Math.floor((side - img.height) / 2));
    }
    return { pixels: preprocessFrame(src.rgb, src.width, src.height, tile), count: 1 };
  }
  const best = selectBestResolution(img.width, img.height, pinpoints);
  // The model views the tiles as a grid of best/tile (floor), so a pinpoint must be whole tiles.
  if (best[0] % tile || best[1] % tile) throw new Error(`image_grid_pinpoints ${best[0]}x${best[1]} is not a multiple of the ${tile}-pixel tile`);
  const parts = crops(resizeAndPad(img, best), tile);
  const pixels = new Float32Array((1 + parts.length) * per);
  pixels.set(preprocessFrame(img.rgb, img.width, img.height, tile), 0);
  parts.forEach((p, i) => pixels.set(normalizeToCHW(p, tile * tile), (i + 1) * per));
  return { pixels, count: 1 + parts.length, grid: { cols: best[0] / tile, rows: best[1] / tile } };
}
