import { test } from "node:test";
import assert from "node:assert/strict";
import { TASKS, TOPICS, findTask } from "../../src/data/taxonomy.ts";
import { generateWorld, type World } from "../../src/synth/world.ts";
import { answerMatches, generateQuestions, normaliseAnswer, type SynthQuestion } from "../../src/synth/questions.ts";
import { renderFrame } from "../../src/synth/render.ts";
import { SCENE_LOOK } from "../../src/synth/palette.ts";
import { SCENES } from "../../src/synth/vocab.ts";

const worlds = [1, 2, 3].map((seed) => generateWorld({ seed, durationS: 300 }));
const qsets = worlds.map((w) => generateQuestions(w, { perTask: 3 }));

// Helpers written from the log directly, not through the generator's own query code.
const time = (s: string): number => {
  const [m, ss] = s.split(":").map(Number);
  return m * 60 + ss;
};
const objByName = (w: World, name: string) => {
  const o = w.objects.find((x) => x.name === name);
  assert.ok(o, `no object named ${name}`);
  return o;
};
const openOf = (qs: SynthQuestion[], template: string) => qs.filter((q) => q.format === "open" && q.template === template);

test("same world and seed → identical questions; another question seed differs", () => {
  const w = generateWorld({ seed: 1, durationS: 300 });
  assert.deepEqual(generateQuestions(w, { perTask: 3 }), qsets[0]);
  assert.notDeepEqual(generateQuestions(w, { perTask: 3, seed: 1 }), qsets[0]);
  assert.notDeepEqual(
    qsets[1].map((q) => q.question),
    qsets[0].map((q) => q.question),
  );
});

test("all 22 tasks, both formats, every topic; task metadata matches the taxonomy", () => {
  for (const qs of qsets) {
    for (const t of TASKS) {
      for (const f of ["open", "mc"] as const)
        assert.ok(
          qs.some((q) => q.task === t.name && q.format === f),
          `${t.name} has no ${f} question`,
        );
    }
    for (const q of qs) {
      const t = findTask(q.task)!;
      assert.equal(t.name, q.task);
      assert.equal(q.topic, t.topic);
      assert.equal(q.form, t.form);
      assert.ok(q.span.start >= 0 && q.span.end <= worlds[0].durationS + 1 && q.span.end > q.span.start);
    }
    assert.deepEqual([...new Set(qs.map((q) => q.topic))].sort(), [...TOPICS].sort());
    assert.deepEqual([...new Set(qs.map((q) => q.form))].sort(), ["long", "short"]);
    assert.equal(new Set(qs.map((q) => q.id)).size, qs.length);
  }
});

test("MC: four unique options A–D, the answer letter names answerText, letters balanced", () => {
  for (const qs of qsets) {
    const mc = qs.filter((q) => q.format === "mc");
    const letters = { A: 0, B: 0, C: 0, D: 0 } as Record<string, number>;
    for (const q of mc) {
      assert.equal(q.options!.length, 4);
      q.options!.forEach((o, i) => assert.ok(o.startsWith(`${"ABCD"[i]}. `), o));
      const texts = q.options!.map((o) => normaliseAnswer(o.slice(3)));
      assert.equal(new Set(texts).size, 4, q.question);
      assert.match(q.answer, /^[ABCD]$/);
      assert.equal(q.options!["ABCD".indexOf(q.answer)].slice(3), q.answerText);
      for (const o of q.options!) assert.ok(q.question.includes(`\n${o}\n`));
      letters[q.answer]++;
    }
    const counts = Object.values(letters);
    assert.ok(Math.max(...counts) - Math.min(...counts) <= 1, JSON.stringify(letters));
  }
});

test("open answers re-derived from the log: scenes, first appearances, stays, counts, existence", () => {
  let n = 0;
  qsets.forEach((qs, k) => {
    const w = worlds[k];
    for (const q of openOf(qs, "scene-at")) {
      const t = time(/at (\d+:\d\d)\?/.exec(q.question)![1]);
      assert.equal(q.answer, w.scenes.filter((s) => s.start <= t).pop()!.scene);
      n++;
    }
    for (const q of openOf(qs, "first-appear-time")) {
      const id = objByName(w, /When did the (.+) first appear\?/.exec(q.question)![1]).id;
      assert.equal(time(q.answer), Math.min(...w.events.filter((e) => e.kind === "appear" && e.objectId === id).map((e) => e.start)));
      n++;
    }
    for (const q of openOf(qs, "stay-duration")) {
      const m = /How many seconds was the (.+?) on screen(?: the (\w+) time it appeared)?\?/.exec(q.question)!;
      const id = objByName(w, m[1]).id;
      const nth = m[2] ? ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"].indexOf(m[2]) : 0;
      const appear = w.events.filter((e) => e.kind === "appear" && e.objectId === id)[nth];
      const gone = w.events.find(
        (e) => (e.kind === "leave" && e.objectId === id && e.start > appear.start) || (e.kind === "merge" && e.objectId === id && e.start > appear.start),
      )!;
      assert.equal(Number(q.answer), gone.kind === "leave" ? gone.start - appear.start : gone.end - appear.start);
      n++;
    }
    for (const q of openOf(qs, "scene-changes")) {
      assert.equal(Number(q.answer), w.events.filter((e) => e.kind === "scene").length);
      n++;
    }
    for (const q of openOf(qs, "times-appeared")) {
      const id = objByName(w, /How many times did the (.+) appear\?/.exec(q.question)![1]).id;
      assert.equal(Number(q.answer), w.events.filter((e) => e.kind === "appear" && e.objectId === id).length);
      n++;
    }
    for (const q of openOf(qs, "did-appear")) {
      const name = /Did a (.+) appear in the video\?/.exec(q.question)![1];
      const o = w.objects.find((x) => x.name === name);
      const shown = o !== undefined && w.events.some((e) => e.kind === "appear" && e.objectId === o.id);
      assert.equal(q.answer, shown ? "yes" : "no");
      n++;
    }
    for (const q of openOf(qs, "first-of-objects")) {
      const [, a, b] = /Which appeared first, the (.+) or the (.+)\?/.exec(q.question)!;
      const first = (name: string) => w.events.find((e) => e.kind === "appear" && e.objectId === objByName(w, name).id)!.start;
      assert.equal(q.answer, first(a) < first(b) ? a : b);
      n++;
    }
  });
  assert.ok(n >= 8, `only ${n} questions re-derived`);
});

test("open answers re-derived: actions, key-event counts and event order", () => {
  const w = generateWorld({ seed: 21, durationS: 900 });
  const qs = generateQuestions(w, { perTask: 6 });
  let n = 0;
  for (const q of openOf(qs, "doing-at")) {
    const [, name, ts] = /What was the (.+) doing at (\d+:\d\d)\?/.exec(q.question)!;
    const id = objByName(w, name).id;
    const t = time(ts);
    const mv = w.events.find((e) => e.kind === "move" && e.objectId === id && e.start <= t && t < e.end);
    assert.equal(q.answer, mv && mv.kind === "move" ? `moving ${mv.direction}` : "standing still");
    n++;
  }
  for (const q of qs.filter((x) => x.format === "open" && x.template.startsWith("count-"))) {
    const kind = q.template.slice("count-".length);
    assert.equal(Number(q.answer), w.events.filter((e) => e.kind === kind).length);
    n++;
  }
  for (const q of openOf(qs, "order-three")) {
    // Each listed clause names a unique event; find its start by matching the phrase shape.
    const clauses = [...q.question.matchAll(/\((\d)\) ([^(]+)/g)].map((m) => m[2].trim());
    const starts = clauses.map((c) => {
      const hits = w.events.filter((e) => {
        const o = "objectId" in e ? w.objects[e.objectId].name : "";
        switch (e.kind) {
          case "appear":
            return c === `the ${o} appeared`;
          case "leave":
            return c === `the ${o} left`;
          case "move":
            return c === `the ${o} moved ${e.direction}`;
          case "scene":
            return c === `the scene changed to the ${e.scene}`;
          case "flash":
            return c === "the screen flashed";
          case "touch":
            return c === `the ${o} touched the ${w.objects[e.otherId].name}`;
          case "bounce":
            return c === `the ${o} bounced off the ${w.objects[e.otherId].name}`;
          case "merge":
            return c === `the ${o} merged into the ${w.objects[e.otherId].name}`;
        }
      });
      assert.equal(hits.length, 1, c);
      return hits[0].start;
    });
    const order = [0, 1, 2]
      .sort((a, b) => starts[a] - starts[b])
      .map((i) => i + 1)
      .join(", ");
    assert.equal(q.answer, order);
    n++;
  }
  for (const q of openOf(qs, "interaction-kind")) {
    const [, a, b, ts] = /What did the (.+) and the (.+) do at (\d+:\d\d)\?/.exec(q.question)!;
    const e = w.events.find((x) => x.start === time(ts))!;
    assert.ok("otherId" in e && e.objectId === objByName(w, a).id && e.otherId === objByName(w, b).id);
    assert.equal(q.answer, `${e.kind === "touch" ? "touch" : e.kind === "bounce" ? "bounc" : "merg"}ed`);
    n++;
  }
  for (const q of openOf(qs, "colour-gone-before-scene")) {
    const [, scene, ts] = /before the scene changed to the (.+?)(?: at (\d+:\d\d))?\?$/.exec(q.question)!;
    const sc = w.events.filter((e) => e.kind === "scene" && e.scene === scene && (ts === undefined || e.start === time(ts)));
    assert.equal(sc.length, 1);
    // Disappearance second: a leave event's start, or the end of a merge.
    const gone = w.events
      .filter((e) => e.kind === "leave" || e.kind === "merge")
      .map((e) => ({ t: e.kind === "leave" ? e.start : e.end, id: (e as { objectId: number }).objectId }))
      .filter((g) => g.t < sc[0].start)
      .sort((x, y) => y.t - x.t);
    assert.equal(q.answer, w.objects[gone[0].id].colour);
    n++;
  }
  assert.ok(n >= 10, `only ${n} re-derived`);
});

test("scene answers are visible in the rendered frame", () => {
  const w = worlds[0];
  for (const q of openOf(qsets[0], "scene-at")) {
    const t = time(/at (\d+:\d\d)\?/.exec(q.question)![1]);
    const buf = renderFrame(w, t, { width: 32, height: 32 });
    // Bottom-right corner pixel: background only (objects keep off the edges).
    const i = (31 * 32 + 31) * 3;
    const rgb = [buf[i], buf[i + 1], buf[i + 2]].join();
    const matches = SCENES.filter((s) => [SCENE_LOOK[s].base, SCENE_LOOK[s].alt].some((c) => c.join() === rgb));
    if (w.events.some((e) => e.kind === "flash" && e.start === t)) continue;
    assert.deepEqual(matches, [q.answer]);
  }
});

test("answerMatches normalises case, punctuation, articles, number words and MC letters", () => {
  assert.ok(answerMatches("The Red Circle.", "red circle"));
  assert.ok(answerMatches("three", "3"));
  assert.ok(answerMatches("left up right", "left, up, right"));
  assert.ok(answerMatches("1:05", "1:05"));
  assert.ok(!answerMatches("105", "1:05"));
  assert.ok(!answerMatches("blue circle", "red circle"));
  assert.ok(!answerMatches("yes", "no"));
  for (const p of ["B", "b", "(B)", "B.", "B. red", "Answer: B", "The answer is B."]) assert.ok(answerMatches(p, "B"), p);
  for (const p of ["A", "C. blue", "", "Banana"]) assert.ok(!answerMatches(p, "B"), p);
  const opts = ["A. red", "B. green", "C. blue", "D. white"];
  assert.ok(answerMatches("Green", "B", opts));
  assert.ok(!answerMatches("blue", "B", opts));
});

test("bad options give clear errors", () => {
  assert.throws(() => generateQuestions(worlds[0], { tasks: ["Object Teleportation"] }), { message: 'generateQuestions: unknown task "Object Teleportation"' });
  assert.throws(() => generateQuestions(worlds[0], { perTask: 0 }), { message: "generateQuestions: perTask must be an integer in [1, 100], got 0" });
  const only = generateQuestions(worlds[0], { tasks: ["scene_recognition"], formats: ["open"] });
  assert.ok(only.length > 0 && only.every((q) => q.task === "Scene Recognition" && q.format === "open"));
});
