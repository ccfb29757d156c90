// Image preprocessing and the anyres token layout against the official code (tools/parity/make_image_fixture.py):
// pixel values bit-exact (Pillow BICUBIC port, official resize/pad/tile geometry), grid, unpad and downscale sizes,
// and every key and query position of the MemAug input, for ten image shapes and aspect settings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseImageAspect } from "../../src/image/aspect.ts";
import { anyresGrid, parsePinpoints, selectBestResolution } from "../../src/image/pinpoints.ts";
import { imageTiles } from "../../src/image/tiles.ts";
import { buildImageMemory, imageQueries, nearestIndices } from "../../src/model/arch/image-memory.ts";
import { planQuery } from "../../src/model/arch/token-flow.ts";
import { synthImage } from "../video/synth-image.ts";

interface Case {
  name: string;
  width: number;
  height: number;
  seed: number;
  image_aspect_ratio: string;
  tiles: number;
  pixels_sha256: string;
  k_pos: number[];
  q_pos: number[];
  q_rows: number[];
  best_resolution?: [number, number];
  grid?: [number, number];
  unpad_hw?: [number, number];
  feature_hw?: [number, number];
}
const fx = JSON.parse(readFileSync("test/fixtures/parity/image_layouts.json", "utf8")) as { pinpoints_tile: number; prompt_ids: number[]; cases: Case[] };
const TILE = fx.pinpoints_tile;
const G = TILE / 2; // patch 2
const pinpoints = parsePinpoints(undefined, TILE); // the official range (1x1)…(6x6), scaled to the tile

test("image layouts fixture covers anyres_max, anyres, pad and square", () => {
  assert.equal(fx.cases.length, 10);
  assert.deepEqual([...new Set(fx.cases.map((c) => c.image_aspect_ratio))].sort(), ["anyres", "anyres_max_2", "anyres_max_9", "pad", "square"]);
});

for (const c of fx.cases) {
  test(`anyres layout against the official code: ${c.name} (${c.width}×${c.height}, ${c.image_aspect_ratio})`, () => {
    const aspect = parseImageAspect(c.image_aspect_ratio);
    const img = { rgb: synthImage(c.width, c.height, c.seed), width: c.width, height: c.height };
    const tiles = imageTiles(img, aspect, pinpoints, TILE);
    assert.equal(tiles.count, c.tiles, "tile count");
    const sha = createHash("sha256")
      .update(new Uint8Array(tiles.pixels.buffer, tiles.pixels.byteOffset, tiles.pixels.byteLength))
      .digest("hex");
    assert.equal(sha, c.pixels_sha256, "normalised tile pixels, bit-exact");
    if (c.grid) {
      assert.deepEqual(selectBestResolution(c.width, c.height, pinpoints), c.best_resolution);
      assert.deepEqual([tiles.grid!.cols, tiles.grid!.rows], c.grid);
      assert.deepEqual(anyresGrid(c.width, c.height, pinpoints, TILE), tiles.grid);
    } else assert.equal(tiles.grid, undefined);

    // The token layout needs only shapes: the memory's rows are checked by value in the model parity test.
    const H = 1;
    const tokens = new Float32Array(tiles.count * G * G * H);
    const maxTiles = aspect.kind === "anyres" ? aspect.maxTiles : undefined;
    const mem = buildImageMemory({ tokens, count: tiles.count, grid: tiles.grid, width: c.width, height: c.height }, G, H, new Float32Array(H), maxTiles);
    if (c.feature_hw) assert.deepEqual([mem.image!.unpad!.rows, mem.image!.unpad!.cols], c.feature_hw, "unpadded (downscaled) map size");
    assert.deepEqual(mem.image!.keyPos, c.k_pos, "key positions");
    const q = imageQueries(mem.image!, "uniform");
    assert.deepEqual(q.rows, c.q_rows, "query rows of the memory");
    assert.deepEqual(planQuery(fx.prompt_ids, undefined, q).qPos, c.q_pos, "query positions (text, image, text)");
  });
}

test("anyres: the unpad crops and anyres_max_9 downscales the fixture image", () => {
  const c = fx.cases.find((x) => x.name === "landscape_max9")!;
  assert.deepEqual(c.unpad_hw, [30, 54]); // 4 tile rows of 9 = 36 → 30 after the crop
  assert.deepEqual(c.feature_hw, [20, 36]); // sqrt(30·54 / (9·81)) = 1.49 > 1.1
});

test("pinpoints: a range string, a Python literal and a list read the same; bad values get one line", () => {
  const range = parsePinpoints("(1x1),...,(2x3)", 384);
  assert.deepEqual(range, [
    [384, 384],
    [384, 768],
    [384, 1152],
    [768, 384],
    [768, 768],
    [768, 1152],
  ]);
  assert.deepEqual(parsePinpoints("[(384, 768), (768, 384)]", 384), [
    [384, 768],
    [768, 384],
  ]);
  assert.deepEqual(parsePinpoints([[336, 672]], 384), [[336, 672]]);
  assert.throws(() => parsePinpoints("[[1, -2]]", 384), /image_grid_pinpoints .* positive integers/);
  assert.throws(() => parsePinpoints("(ax1)", 384), /expected a range/);
  assert.throws(() => parseImageAspect("highres"), /not supported for images/);
});

test("base-tile positions: torch.linspace in float32 rounded half to even", () => {
  assert.deepEqual(nearestIndices(19, 9), [0, 2, 5, 7, 10, 12, 14, 17, 19]); // 9.5 → 10 (even)
  assert.deepEqual(nearestIndices(8, 9), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
});

test("random spatial forgetting keeps a sorted quarter of each grid, newlines after kept rows", () => {
  const mem = buildImageMemory({ tokens: new Float32Array(7 * 81), count: 7, grid: { cols: 3, rows: 2 }, width: 54, height: 36 }, 9, 1, new Float32Array(1), 9);
  let s = 1;
  const rand = () => ((s = (s * 16807) % 2147483647) - 1) / 2147483646;
  const q = imageQueries(mem.image!, "random", rand);
  const { rows: h, cols: w } = mem.image!.unpad!;
  const newlines = q.positions.filter((p) => p === h * w).length;
  assert.equal(q.rows.length - newlines, Math.ceil(81 / 4) + Math.ceil((h * w) / 4));
  assert.equal(q.positions[q.positions.length - 1], h * w, "ends with a newline");
  assert.ok(newlines >= 1 && newlines <= h);
});
