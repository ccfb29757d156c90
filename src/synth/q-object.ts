// Templates for the Object topic: which object, what it looks like, what it did to another, whether it
// was there at all, and whether it came back.
import { appearancePositionAt } from "./world.ts";
import { absentNames, appearancesOf, appearedIds, eventsOfKind, maybePick, numberPool, timePool, whole, type Template } from "./q-common.ts";
import { capitalise, eventRef, formatTime, parseTime, the } from "./phrases.ts";
import { regionMargin, regionOf, sceneAt, visibleAt } from "./state.ts";
import { COLOURS, REGIONS, SCENES, SHAPES, SIZES } from "./vocab.ts";
import { REGION_MARGIN } from "./q-spatiality.ts";

const otherNames = (world: Parameters<Template>[0]["world"], exclude: number): string[] => [
  ...world.objects.filter((o) => o.id !== exclude).map((o) => o.name),
  ...absentNames(world),
];

const whichAppeared: Template = ({ world, rng }) => {
  const app = maybePick(rng, world.appearances);
  if (!app) return null;
  return {
    kind: "which-appeared",
    question: `Which object appeared at ${formatTime(app.start)}?`,
    answer: world.objects[app.objectId].name,
    distractors: otherNames(world, app.objectId),
    span: { start: app.start, end: app.start + 1 },
  };
};

const onlyObject: Template = ({ world, rng }) => {
  const t = rng.int(0, world.durationS - 1);
  const vis = visibleAt(world, t);
  if (vis.length !== 1) return null;
  const id = vis[0].object.id;
  return {
    kind: "only-object",
    question: `Which object was on screen at ${formatTime(t)}?`,
    answer: world.objects[id].name,
    distractors: otherNames(world, id),
    span: { start: t, end: t + 1 },
  };
};

export const objectRecognition = [whichAppeared, onlyObject];

const colourOfShape: Template = ({ world, rng }) => {
  const app = maybePick(rng, world.appearances);
  if (!app) return null;
  const o = world.objects[app.objectId];
  return {
    kind: "colour-of-new",
    question: `What colour was the ${o.shape} that appeared at ${formatTime(app.start)}?`,
    answer: o.colour,
    distractors: COLOURS.filter((c) => c !== o.colour),
    span: { start: app.start, end: app.start + 1 },
  };
};

const shapeOfColour: Template = ({ world, rng }) => {
  const t = rng.int(0, world.durationS - 1);
  const vis = visibleAt(world, t);
  const v = maybePick(rng, vis);
  if (!v || vis.filter((x) => x.object.colour === v.object.colour).length !== 1) return null;
  return {
    kind: "shape-of-colour",
    question: `What shape was the ${v.object.colour} object at ${formatTime(t)}?`,
    answer: v.object.shape,
    distractors: SHAPES.filter((s) => s !== v.object.shape),
    span: { start: t, end: t + 1 },
  };
};

const sizeOf: Template = ({ world, rng }) => {
  const app = maybePick(rng, world.appearances);
  if (!app) return null;
  const o = world.objects[app.objectId];
  return {
    kind: "size-of",
    question: `Was ${the(world, o.id)} that appeared at ${formatTime(app.start)} small or large?`,
    answer: o.size,
    distractors: [o.size === "small" ? "large" : "small"],
    span: { start: app.start, end: app.start + 1 },
    mc: {
      question: `What did the object that appeared at ${formatTime(app.start)} look like?`,
      answer: `${o.size} ${o.name}`,
      distractors: [`${o.size === "small" ? "large" : "small"} ${o.name}`, ...SIZES.flatMap((sz) => otherNames(world, o.id).map((n) => `${sz} ${n}`))],
    },
  };
};

export const objectAttribute = [colourOfShape, shapeOfColour, sizeOf];

const INTERACTION_WORD = { touch: "touched", bounce: "bounced", merge: "merged" } as const;

const whatInteraction: Template = ({ world, rng }) => {
  const e = maybePick(rng, eventsOfKind(world, "touch", "bounce", "merge"));
  if (!e) return null;
  const answer = INTERACTION_WORD[e.kind];
  return {
    kind: "interaction-kind",
    question: `What did ${the(world, e.objectId)} and ${the(world, e.otherId)} do at ${formatTime(e.start)}?`,
    answer,
    distractors: [...Object.values(INTERACTION_WORD).filter((w) => w !== answer), "passed each other"],
    span: { start: e.start, end: e.end },
  };
};

const interactionPartner: Template = ({ world, rng }) => {
  const e = maybePick(rng, eventsOfKind(world, "touch", "bounce", "merge"));
  if (!e) return null;
  const verb = e.kind === "touch" ? "touch" : e.kind === "bounce" ? "bounce off" : "merge into";
  return {
    kind: "interaction-partner",
    question: `Which object did ${the(world, e.objectId)} ${verb} at ${formatTime(e.start)}?`,
    answer: world.objects[e.otherId].name,
    distractors: otherNames(world, e.otherId).filter((n) => n !== world.objects[e.objectId].name),
    span: { start: e.start, end: e.end },
  };
};

export const objectInteraction = [whatInteraction, interactionPartner];

const lastGoneBeforeScene: Template = ({ world, rng }) => {
  const sc = maybePick(rng, eventsOfKind(world, "scene"));
  if (!sc) return null;
  const gone = world.appearances.filter((a) => a.exit !== "end" && a.end < sc.start);
  if (gone.length === 0) return null;
  const last = gone.reduce((m, a) => (a.end > m.end ? a : m));
  const o = world.objects[last.objectId];
  return {
    kind: "colour-gone-before-scene",
    question: `What colour was the last object to disappear before ${eventRef(world, sc)}?`,
    answer: o.colour,
    distractors: COLOURS.filter((c) => c !== o.colour),
    span: { start: last.end, end: sc.end },
  };
};

const mergedInto: Template = ({ world, rng }) => {
  const e = maybePick(rng, eventsOfKind(world, "merge"));
  if (!e) return null;
  const a = world.objects[e.objectId];
  return {
    kind: "shape-merged-into",
    question: `What shape was the object that merged into ${the(world, e.otherId)} at ${formatTime(e.start)}?`,
    answer: a.shape,
    distractors: SHAPES.filter((s) => s !== a.shape),
    span: { start: e.start, end: e.end },
  };
};

const longestOnScreen: Template = ({ world }) => {
  const total = new Map<number, number>();
  for (const a of world.appearances) total.set(a.objectId, (total.get(a.objectId) ?? 0) + a.end - a.start);
  const ranked = [...total.entries()].sort((x, y) => y[1] - x[1]);
  if (ranked.length < 2 || ranked[0][1] - ranked[1][1] < 3) return null;
  const id = ranked[0][0];
  return {
    kind: "longest-on-screen",
    question: "Which object was on screen for the longest time in total?",
    answer: world.objects[id].name,
    distractors: ranked.slice(1).map(([i]) => world.objects[i].name),
    span: whole(world),
  };
};

export const objectReasoning = [lastGoneBeforeScene, mergedInto, longestOnScreen];

const didAppear: Template = ({ world, rng }) => {
  const shown = appearedIds(world).map((id) => world.objects[id].name);
  const absent = absentNames(world);
  if (shown.length === 0 || absent.length < 3) return null;
  const yes = rng.chance(0.5);
  const name = yes ? rng.pick(shown) : rng.pick(absent);
  const mcAnswer = rng.pick(shown);
  return {
    kind: "did-appear",
    question: `Did a ${name} appear in the video?`,
    answer: yes ? "yes" : "no",
    distractors: [yes ? "no" : "yes"],
    span: whole(world),
    mc: { question: "Which of these objects appeared in the video?", answer: mcAnswer, distractors: absent },
  };
};

const inScene: Template = ({ world, rng }) => {
  const id = maybePick(rng, appearedIds(world));
  if (id === null) return null;
  const seen = new Set<string>();
  for (const a of appearancesOf(world, id)) for (const s of world.scenes) if (s.start < a.end && a.start < s.end) seen.add(s.scene);
  const visited = [...new Set(world.scenes.map((s) => s.scene))];
  const scene = rng.pick(visited);
  const first = sceneAt(world, appearancesOf(world, id)[0].start).scene;
  return {
    kind: "in-scene",
    question: `Was ${the(world, id)} ever seen in the ${scene}?`,
    answer: seen.has(scene) ? "yes" : "no",
    distractors: [seen.has(scene) ? "no" : "yes"],
    span: whole(world),
    mc: { question: `In which scene did ${the(world, id)} first appear?`, answer: first, distractors: SCENES.filter((s) => s !== first) },
  };
};

export const objectExistence = [didAppear, inScene];

const timesAppeared: Template = ({ world, rng }) => {
  const id = maybePick(rng, appearedIds(world));
  if (id === null) return null;
  const n = appearancesOf(world, id).length;
  return {
    kind: "times-appeared",
    question: `How many times did ${the(world, id)} appear?`,
    answer: String(n),
    distractors: numberPool(n, 1),
    span: whole(world),
  };
};

const cameBack: Template = ({ world, rng }) => {
  const left = world.appearances.filter((a) => a.exit === "leave");
  const back = left.filter((a) => world.appearances.some((b) => b.objectId === a.objectId && b.start >= a.end));
  const gone = left.filter((a) => !back.includes(a));
  const yes = rng.chance(0.5);
  const app = maybePick(rng, yes ? back : gone) ?? maybePick(rng, left);
  if (!app) return null;
  const answer = back.includes(app) ? "yes" : "no";
  const next = world.appearances.find((b) => b.objectId === app.objectId && b.start >= app.end);
  const nextAnswer = next ? formatTime(next.start) : "never";
  return {
    kind: "came-back",
    question: `After ${the(world, app.objectId)} left at ${formatTime(app.end)}, did it come back later?`,
    answer,
    distractors: [answer === "yes" ? "no" : "yes"],
    span: { start: app.end, end: world.durationS },
    mc: {
      question: `After ${the(world, app.objectId)} left at ${formatTime(app.end)}, when did it next appear?`,
      answer: nextAnswer,
      distractors: [...(next ? ["never"] : []), ...timePool(world, next ? next.start : app.end).filter((x) => parseTime(x) > app.end)],
    },
  };
};

const whereBeforeGone: Template = ({ world, rng }) => {
  const app = maybePick(
    rng,
    world.appearances.filter((a) => a.exit !== "end"),
  );
  if (!app) return null;
  const pos = appearancePositionAt(app, app.end - 1);
  if (regionMargin(pos) < REGION_MARGIN) return null;
  const region = regionOf(pos);
  return {
    kind: "where-before-gone",
    question: `${capitalise(the(world, app.objectId))} disappeared at ${formatTime(app.end)}. Where on the screen was it just before that?`,
    answer: region,
    distractors: REGIONS.filter((r) => r !== region),
    span: { start: app.end - 1, end: app.end + 1 },
  };
};

export const objectPermanence = [timesAppeared, cameBack, whereBeforeGone];
