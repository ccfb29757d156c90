import { test } from "node:test";
import assert from "node:assert/strict";
import { appearancePositionAt, contactDistance, generateWorld, type World } from "../../src/synth/world.ts";
import { sceneAt, visibleAt } from "../../src/synth/state.ts";

const worlds = [1, 2, 3, 4].map((seed) => generateWorld({ seed, durationS: 600 }));

test("same seed gives an identical log; different seeds differ", () => {
  const a = generateWorld({ seed: 11, durationS: 300 });
  const b = generateWorld({ seed: 11, durationS: 300 });
  assert.deepEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
  const c = generateWorld({ seed: 12, durationS: 300 });
  assert.notDeepEqual(JSON.stringify(a.events), JSON.stringify(c.events));
});

test("scenes partition the timeline and consecutive scenes differ", () => {
  for (const w of worlds) {
    assert.equal(w.scenes[0].start, 0);
    assert.equal(w.scenes[w.scenes.length - 1].end, w.durationS);
    for (let i = 1; i < w.scenes.length; i++) {
      assert.equal(w.scenes[i].start, w.scenes[i - 1].end);
      assert.notEqual(w.scenes[i].scene, w.scenes[i - 1].scene);
      assert.ok(w.scenes[i].end > w.scenes[i].start);
    }
    // One scene event per change, at the scene's start.
    const changes = w.events.filter((e) => e.kind === "scene");
    assert.deepEqual(
      changes.map((e) => e.start),
      w.scenes.slice(1).map((s) => s.start),
    );
  }
});

test("beats are sequential: sorted, non-overlapping, an idle second apart, ending before the last frame", () => {
  for (const w of worlds) {
    assert.ok(w.events.length > 40, `only ${w.events.length} events`);
    w.events.forEach((e, i) => {
      assert.equal(e.index, i);
      assert.ok(e.end > e.start);
      assert.ok(e.end < w.durationS);
      if (i > 0) assert.ok(e.start >= w.events[i - 1].end + 1, `event ${i} starts ${e.start}, previous ends ${w.events[i - 1].end}`);
    });
  }
});

test("appearances agree with appear/leave/merge events", () => {
  for (const w of worlds) {
    const appear = w.events.filter((e) => e.kind === "appear");
    assert.equal(appear.length, w.appearances.length);
    for (const a of w.appearances) {
      assert.ok(appear.some((e) => e.kind === "appear" && e.objectId === a.objectId && e.start === a.start));
      if (a.exit === "leave") assert.ok(w.events.some((e) => e.kind === "leave" && e.objectId === a.objectId && e.start === a.end));
      if (a.exit === "merge") assert.ok(w.events.some((e) => e.kind === "merge" && e.objectId === a.objectId && e.end === a.end));
      if (a.exit === "end") assert.equal(a.end, w.durationS);
    }
    // An object is never on screen twice at once.
    for (let i = 0; i < w.appearances.length; i++)
      for (let j = i + 1; j < w.appearances.length; j++) {
        const a = w.appearances[i];
        const b = w.appearances[j];
        if (a.objectId === b.objectId) assert.ok(a.end <= b.start || b.end <= a.start);
      }
    // Names are unique, so "the red circle" always means one object.
    assert.equal(new Set(w.objects.map((o) => o.name)).size, w.objects.length);
  }
});

function checkFrames(w: World): void {
  for (let t = 0; t < w.durationS; t++) {
    const vis = visibleAt(w, t);
    assert.ok(vis.length <= w.options.maxOnScreen);
    for (const v of vis) {
      const r = v.object.radius;
      assert.ok(v.pos.x - r >= 0 && v.pos.x + r <= 1 && v.pos.y - r >= 0 && v.pos.y + r <= 1, `object off screen at ${t}`);
    }
    for (let i = 0; i < vis.length; i++)
      for (let j = i + 1; j < vis.length; j++) {
        const a = vis[i];
        const b = vis[j];
        const d = Math.hypot(a.pos.x - b.pos.x, a.pos.y - b.pos.y);
        // Objects may meet at contact, but never closer, and neither centre is ever covered.
        assert.ok(d >= contactDistance(a.object, b.object) - 0.002, `t=${t}: ${a.object.name} and ${b.object.name} overlap (d=${d})`);
        assert.ok(d > Math.max(a.object.radius, b.object.radius) + 0.02);
      }
  }
}

test("objects stay on screen and never overlap past contact", () => {
  for (const w of worlds) checkFrames(w);
});

test("motions: a move changes position by its direction, objects stand still outside beats", () => {
  for (const w of worlds) {
    for (const e of w.events) {
      if (e.kind !== "move") continue;
      const app = w.appearances.find((a) => a.objectId === e.objectId && a.start <= e.start && e.start < a.end)!;
      const before = appearancePositionAt(app, e.start - 1);
      const after = appearancePositionAt(app, e.end - 1);
      const dx = after.x - before.x;
      const dy = after.y - before.y;
      const want = { left: [-1, 0], right: [1, 0], up: [0, -1], down: [0, 1] }[e.direction];
      assert.ok(Math.sign(Math.round(dx * 1000)) === want[0] && Math.sign(Math.round(dy * 1000)) === want[1], `move ${e.direction}: dx=${dx} dy=${dy}`);
      // Every frame of the move shows motion, the frame after shows none.
      for (let t = e.start; t < e.end; t++) assert.notDeepEqual(appearancePositionAt(app, t), appearancePositionAt(app, t - 1));
      if (e.end < app.end) assert.deepEqual(appearancePositionAt(app, e.end), appearancePositionAt(app, e.end - 1));
    }
  }
});

test("an hour-long world is dense enough for long-range questions", () => {
  const w = generateWorld({ seed: 5, durationS: 3600 });
  assert.ok(w.events.length >= 100, `${w.events.length} events`);
  assert.ok(w.scenes.length >= 6, `${w.scenes.length} scenes`);
  assert.ok(w.appearances.length >= 20);
  for (const kind of ["appear", "leave", "move", "touch", "bounce", "merge", "scene", "flash"]) {
    assert.ok(
      w.events.some((e) => e.kind === kind),
      `no ${kind} event`,
    );
  }
  assert.equal(sceneAt(w, 3599).end, 3600);
  checkFrames(generateWorld({ seed: 6, durationS: 900 }));
});

test("bad options give one clear error naming the field and value", () => {
  assert.throws(() => generateWorld({ seed: 1, durationS: 5 }), { message: "generateWorld: durationS must be an integer in [10, 21600], got 5" });
  assert.throws(() => generateWorld({ seed: -1, durationS: 60 }), { message: "generateWorld: seed must be an integer in [0, 4294967295], got -1" });
  assert.throws(() => generateWorld({ seed: 1, durationS: 60.5 }), { message: "generateWorld: durationS must be an integer in [10, 21600], got 60.5" });
  assert.throws(() => generateWorld({ seed: 1, durationS: 60, maxOnScreen: 9 }), { message: "generateWorld: maxOnScreen must be an integer in [1, 4], got 9" });
  assert.throws(() => visibleAt(generateWorld({ seed: 1, durationS: 20 }), 20), {
    message: "frame 20 is outside the world's timeline [0, 19] (1 fps, integer seconds)",
  });
});
