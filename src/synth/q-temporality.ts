// Templates for the Temporality topic: when, how long, what next, how far apart, which first.
import { appearancesOf, appearedIds, eventsOfKind, maybePick, numberPool, timePool, whole, type Template } from "./q-common.ts";
import { capitalise, eventPhrase, eventRef, formatTime, isUniquePhrase, ordinal, the } from "./phrases.ts";

const firstAppearTime: Template = ({ world, rng }) => {
  const id = maybePick(rng, appearedIds(world));
  if (id === null) return null;
  const app = appearancesOf(world, id)[0];
  return {
    kind: "first-appear-time",
    question: `When did ${the(world, id)} first appear?`,
    answer: formatTime(app.start),
    distractors: timePool(world, app.start),
    span: { start: app.start, end: app.start + 1 },
  };
};

const flashTime: Template = ({ world, rng }) => {
  const flashes = eventsOfKind(world, "flash");
  if (flashes.length === 0) return null;
  const i = rng.int(0, flashes.length - 1);
  const e = flashes[i];
  const q = flashes.length === 1 ? "When did the screen flash?" : `When did the screen flash for the ${ordinal(i + 1)} time?`;
  return { kind: "flash-time", question: q, answer: formatTime(e.start), distractors: timePool(world, e.start), span: { start: e.start, end: e.end } };
};

const sceneChangeTime: Template = ({ world, rng }) => {
  const once = eventsOfKind(world, "scene").filter((e) => isUniquePhrase(world, e));
  const e = maybePick(rng, once);
  if (!e) return null;
  return {
    kind: "scene-change-time",
    question: `When did the scene change to the ${e.scene}?`,
    answer: formatTime(e.start),
    distractors: timePool(world, e.start),
    span: { start: e.start, end: e.end },
  };
};

export const temporalPerception: Template[] = [firstAppearTime, flashTime, sceneChangeTime];

const stayDuration: Template = ({ world, rng }) => {
  const app = maybePick(
    rng,
    world.appearances.filter((a) => a.exit !== "end"),
  );
  if (!app) return null;
  const apps = appearancesOf(world, app.objectId);
  const nth = apps.indexOf(app) + 1;
  const which = apps.length === 1 ? "" : ` the ${ordinal(nth)} time it appeared`;
  const n = app.end - app.start;
  return {
    kind: "stay-duration",
    question: `How many seconds was ${the(world, app.objectId)} on screen${which}?`,
    answer: String(n),
    distractors: numberPool(n, 1),
    span: { start: app.start, end: app.end },
  };
};

const sceneDuration: Template = ({ world, rng }) => {
  const once = world.scenes.filter((s) => world.scenes.filter((x) => x.scene === s.scene).length === 1);
  const s = maybePick(rng, once);
  if (!s) return null;
  const n = s.end - s.start;
  return {
    kind: "scene-duration",
    question: `How many seconds did the ${s.scene} scene last?`,
    answer: String(n),
    distractors: numberPool(n, 1),
    span: { start: s.start, end: s.end },
  };
};

export const durationPerception: Template[] = [stayDuration, sceneDuration];

const nextEvent: Template = ({ world, rng }) => {
  const evs = world.events;
  if (evs.length < 2) return null;
  const after = rng.chance(0.5);
  const i = after ? rng.int(0, evs.length - 2) : rng.int(1, evs.length - 1);
  const ref = evs[i];
  const ans = evs[after ? i + 1 : i - 1];
  const answer = eventPhrase(world, ans);
  return {
    kind: after ? "event-after" : "event-before",
    question: `What happened right ${after ? "after" : "before"} ${eventRef(world, ref)}?`,
    answer,
    distractors: evs.map((e) => eventPhrase(world, e)).filter((p) => p !== eventPhrase(world, ref)),
    span: after ? { start: ref.start, end: ans.end } : { start: ans.start, end: ref.end },
  };
};

export const temporalReasoning: Template[] = [nextEvent];

const gapBetween: Template = ({ world, rng }) => {
  const instants = world.events.filter(
    (e) => (e.kind === "appear" || e.kind === "leave" || e.kind === "scene" || e.kind === "flash") && isUniquePhrase(world, e),
  );
  if (instants.length < 2) return null;
  const [a, b] = rng.sample(instants, 2).sort((x, y) => x.start - y.start);
  const n = b.start - a.start;
  if (n < 3) return null;
  return {
    kind: "gap-between",
    question: `How many seconds passed from the moment ${eventPhrase(world, a)} to the moment ${eventPhrase(world, b)}?`,
    answer: String(n),
    distractors: numberPool(n, 1),
    span: { start: a.start, end: b.end },
  };
};

const gapReappear: Template = ({ world, rng }) => {
  const pairs = world.appearances
    .map((a) => [a, world.appearances.find((b) => b.objectId === a.objectId && b.start >= a.end)] as const)
    .filter(([a, b]) => b !== undefined && a.exit === "leave");
  const pick = maybePick(rng, pairs);
  if (!pick) return null;
  const [a, b] = pick as [(typeof pick)[0], NonNullable<(typeof pick)[1]>];
  const n = b.start - a.end;
  return {
    kind: "gap-reappear",
    question: `${capitalise(the(world, a.objectId))} left at ${formatTime(a.end)}. How many seconds later did it come back?`,
    answer: String(n),
    distractors: numberPool(n, 1),
    span: { start: a.end, end: b.start + 1 },
  };
};

export const temporalGapEstimation: Template[] = [gapBetween, gapReappear];

const firstOfObjects: Template = ({ world, rng }) => {
  const ids = appearedIds(world); // already in first-appearance order
  if (ids.length < 2) return null;
  const [a, b] = rng.sample(ids, 2);
  const first = ids.indexOf(a) < ids.indexOf(b) ? a : b;
  const four = ids.length >= 4 ? rng.sample(ids, 4) : null;
  const firstOfFour = four ? ids.find((id) => four.includes(id))! : -1;
  return {
    kind: "first-of-objects",
    question: `Which appeared first, ${the(world, a)} or ${the(world, b)}?`,
    answer: world.objects[first].name,
    distractors: [world.objects[first === a ? b : a].name],
    span: whole(world),
    mc: four
      ? {
          question: "Which of these objects appeared first?",
          answer: world.objects[firstOfFour].name,
          distractors: four.filter((id) => id !== firstOfFour).map((id) => world.objects[id].name),
        }
      : null,
  };
};

const beforeOrAfter: Template = ({ world, rng }) => {
  const uniq = world.events.filter((e) => isUniquePhrase(world, e));
  if (uniq.length < 4) return null;
  const [a, b] = rng.sample(uniq, 2);
  const four = rng.sample(uniq, 4);
  const earliest = four.reduce((m, e) => (e.start < m.start ? e : m));
  return {
    kind: "before-or-after",
    question: `Did ${eventPhrase(world, a, "bare")} before or after ${eventPhrase(world, b)}?`,
    answer: a.start < b.start ? "before" : "after",
    distractors: [a.start < b.start ? "after" : "before"],
    span: { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) },
    mc: {
      question: "Which of these happened first?",
      answer: eventPhrase(world, earliest),
      distractors: four.filter((e) => e !== earliest).map((e) => eventPhrase(world, e)),
    },
  };
};

export const temporalOrder: Template[] = [firstOfObjects, beforeOrAfter];
