// Templates for the Action topic: what an object is doing, when, in which order, and why.
import { appearedIds, eventsOfKind, maybePick, permutations, timePool, type Template } from "./q-common.ts";
import { capitalise, formatTime, the } from "./phrases.ts";
import { actionAt, sceneAt } from "./state.ts";
import { ACTION_WORDS, DIRECTIONS, SCENES } from "./vocab.ts";

const doingAt: Template = ({ world, rng }) => {
  let id: number;
  let t: number;
  if (rng.chance(0.75)) {
    const e = maybePick(rng, eventsOfKind(world, "move"));
    if (!e) return null;
    id = e.objectId;
    t = rng.int(e.start, e.end - 1);
  } else {
    const app = maybePick(rng, world.appearances);
    if (!app) return null;
    id = app.objectId;
    t = rng.int(app.start, app.end - 1);
  }
  const answer = actionAt(world, id, t);
  if (answer === null) return null;
  return {
    kind: "doing-at",
    question: `What was ${the(world, id)} doing at ${formatTime(t)}?`,
    answer,
    distractors: ACTION_WORDS.filter((a) => a !== answer),
    span: { start: t, end: t + 1 },
  };
};

export const actionRecognition = [doingAt];

/** Move events whose (object, direction) pair happens once, so "when did X move left" has one answer. */
function uniqueMoves(world: Parameters<Template>[0]["world"]) {
  const moves = eventsOfKind(world, "move");
  return moves.filter((e) => moves.filter((m) => m.objectId === e.objectId && m.direction === e.direction).length === 1);
}

const whenMoved: Template = ({ world, rng }) => {
  const e = maybePick(rng, uniqueMoves(world));
  if (!e) return null;
  return {
    kind: "when-moved",
    question: `When did ${the(world, e.objectId)} start moving ${e.direction}?`,
    answer: formatTime(e.start),
    distractors: timePool(world, e.start),
    span: { start: e.start, end: e.end },
  };
};

const sceneOfMove: Template = ({ world, rng }) => {
  const e = maybePick(rng, uniqueMoves(world));
  if (!e) return null;
  const scene = sceneAt(world, e.start).scene;
  return {
    kind: "scene-of-move",
    question: `In which scene did ${the(world, e.objectId)} move ${e.direction}?`,
    answer: scene,
    distractors: SCENES.filter((s) => s !== scene),
    span: { start: e.start, end: e.end },
  };
};

export const actionLocalization = [whenMoved, sceneOfMove];

const moveOrder: Template = ({ world, rng }) => {
  const candidates = world.appearances
    .map((a) => ({
      a,
      dirs: eventsOfKind(world, "move")
        .filter((e) => e.objectId === a.objectId && e.start >= a.start && e.start < a.end)
        .map((e) => e.direction),
    }))
    .filter((c) => c.dirs.length >= 2 && c.dirs.length <= 4);
  const c = maybePick(rng, candidates);
  if (!c) return null;
  const answer = c.dirs.join(", ");
  // Wrong orders of the same moves, then single-direction changes.
  const wrong = new Set<string>(permutations(c.dirs).map((p) => p.join(", ")));
  for (let i = 0; i < c.dirs.length; i++) for (const d of DIRECTIONS) wrong.add(c.dirs.map((x, j) => (j === i ? d : x)).join(", "));
  wrong.delete(answer);
  return {
    kind: "move-order",
    question: `${capitalise(the(world, c.a.objectId))} appeared at ${formatTime(c.a.start)}. In which directions did it move before it disappeared, in order?`,
    answer,
    distractors: rng.shuffle([...wrong]),
    span: { start: c.a.start, end: c.a.end },
  };
};

export const actionSequence = [moveOrder];

const mostMoves: Template = ({ world }) => {
  const count = new Map<number, number>(appearedIds(world).map((id) => [id, 0]));
  for (const e of eventsOfKind(world, "move")) count.set(e.objectId, (count.get(e.objectId) ?? 0) + 1);
  const ranked = [...count.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0]);
  if (ranked.length < 2 || ranked[0][1] === ranked[1][1]) return null;
  return {
    kind: "most-moves",
    question: "Which object moved the most times?",
    answer: world.objects[ranked[0][0]].name,
    distractors: ranked.slice(1).map(([id]) => world.objects[id].name),
    span: { start: 0, end: world.durationS },
  };
};

const whyGone: Template = ({ world, rng }) => {
  const app = maybePick(
    rng,
    world.appearances.filter((a) => a.exit !== "end"),
  );
  if (!app) return null;
  const merge = eventsOfKind(world, "merge").find((e) => e.objectId === app.objectId && e.end === app.end);
  const answer = merge ? `it merged into ${the(world, merge.otherId)}` : "it left";
  const others = world.objects.filter((o) => o.id !== app.objectId).map((o) => `it merged into ${the(world, o.id)}`);
  return {
    kind: "why-gone",
    question: `Why did ${the(world, app.objectId)} disappear at ${formatTime(app.end)}?`,
    answer,
    distractors: ["it left", ...others].filter((x) => x !== answer),
    span: { start: merge ? merge.start : app.end, end: app.end + 1 },
  };
};

export const actionReasoning = [mostMoves, whyGone];
