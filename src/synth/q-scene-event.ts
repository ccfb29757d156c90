// Templates for the Scene and Event topics: which scene, how scenes followed each other, the order of
// events, the key events, and the whole video in one line.
import { eventsOfKind, maybePick, numberPool, permutations, whole, type Template } from "./q-common.ts";
import { eventPhrase, formatTime, isUniquePhrase, ordinal, the } from "./phrases.ts";
import { sceneAt } from "./state.ts";
import { summarise, wrongSummaries } from "./summary.ts";
import { SCENES } from "./vocab.ts";

const sceneAtTime: Template = ({ world, rng }) => {
  const t = rng.int(0, world.durationS - 1);
  const scene = sceneAt(world, t).scene;
  return {
    kind: "scene-at",
    question: `What was the scene at ${formatTime(t)}?`,
    answer: scene,
    distractors: SCENES.filter((s) => s !== scene),
    span: { start: t, end: t + 1 },
  };
};

const sceneOfAppearance: Template = ({ world, rng }) => {
  const app = maybePick(rng, world.appearances);
  if (!app) return null;
  const scene = sceneAt(world, app.start).scene;
  return {
    kind: "scene-of-appearance",
    question: `In which scene did ${the(world, app.objectId)} appear at ${formatTime(app.start)}?`,
    answer: scene,
    distractors: SCENES.filter((s) => s !== scene),
    span: { start: app.start, end: app.start + 1 },
  };
};

export const sceneRecognition = [sceneAtTime, sceneOfAppearance];

const sceneChanges: Template = ({ world }) => {
  const n = world.scenes.length - 1;
  return { kind: "scene-changes", question: "How many times did the scene change?", answer: String(n), distractors: numberPool(n), span: whole(world) };
};

const neighbourScene: Template = ({ world, rng }) => {
  if (world.scenes.length < 2) return null;
  const after = rng.chance(0.5);
  const i = after ? rng.int(0, world.scenes.length - 2) : rng.int(1, world.scenes.length - 1);
  const s = world.scenes[i];
  const other = world.scenes[after ? i + 1 : i - 1];
  const once = world.scenes.filter((x) => x.scene === s.scene).length === 1;
  const ref = once ? `the ${s.scene}` : `the ${s.scene} that started at ${formatTime(s.start)}`;
  return {
    kind: after ? "scene-after" : "scene-before",
    question: `Which scene came right ${after ? "after" : "before"} ${ref}?`,
    answer: other.scene,
    distractors: SCENES.filter((x) => x !== other.scene && x !== s.scene),
    span: after ? { start: s.start, end: other.end } : { start: other.start, end: s.end },
  };
};

const sceneList: Template = ({ world, rng }) => {
  const scenes = world.scenes.map((s) => s.scene);
  if (scenes.length < 2 || scenes.length > 6) return null;
  const answer = scenes.join(", ");
  const wrong = new Set<string>();
  for (let tries = 0; tries < 24; tries++) {
    const w = rng.shuffle(scenes);
    if (tries % 3 === 2) w[rng.int(0, w.length - 1)] = rng.pick(SCENES);
    if (w.every((x, i) => i === 0 || x !== w[i - 1])) wrong.add(w.join(", "));
  }
  wrong.delete(answer);
  return { kind: "scene-list", question: "List the scenes of the video in order.", answer, distractors: [...wrong], span: whole(world) };
};

export const sceneTransition = [sceneChanges, neighbourScene, sceneList];

const orderThree: Template = ({ world, rng }) => {
  const uniq = world.events.filter((e) => isUniquePhrase(world, e));
  if (uniq.length < 3) return null;
  const shown = rng.sample(uniq, 3);
  // The answer lists the shown numbers in the order the events happened.
  const byTime = shown.map((e, i) => ({ e, n: i + 1 })).sort((a, b) => a.e.start - b.e.start);
  const answer = byTime.map((x) => x.n).join(", ");
  const listed = shown.map((e, i) => `(${i + 1}) ${eventPhrase(world, e)}`).join(" ");
  return {
    kind: "order-three",
    question: `In what order did these happen? ${listed}`,
    answer,
    distractors: permutations([1, 2, 3])
      .map((p) => p.join(", "))
      .filter((p) => p !== answer),
    span: { start: byTime[0].e.start, end: byTime[2].e.end },
  };
};

const nthEvent: Template = ({ world, rng }) => {
  const n = Math.min(world.events.length, 5);
  if (n < 2) return null;
  const i = rng.int(0, n - 1);
  const e = world.events[i];
  return {
    kind: "nth-event",
    question: `What was the ${ordinal(i + 1)} thing that happened in the video?`,
    answer: eventPhrase(world, e),
    distractors: world.events.filter((x) => eventPhrase(world, x) !== eventPhrase(world, e)).map((x) => eventPhrase(world, x)),
    span: { start: 0, end: e.end },
  };
};

export const eventSequence = [orderThree, nthEvent];

const KEY_EVENTS = [
  ["flash", "How many times did the screen flash?"],
  ["touch", "How many times did one object touch another?"],
  ["bounce", "How many times did one object bounce off another?"],
  ["merge", "How many times did one object merge into another?"],
  ["appear", "How many times did an object appear?"],
] as const;

const countKeyEvents: Template = ({ world, rng }) => {
  const [kind, question] = rng.pick(KEY_EVENTS);
  const n = eventsOfKind(world, kind).length;
  return { kind: `count-${kind}`, question, answer: String(n), distractors: numberPool(n), span: whole(world) };
};

export const keyEventExtraction = [countKeyEvents];

const summary: Template = ({ world, rng }) => ({
  kind: "summary",
  question: "Summarize the video.",
  answer: summarise(world),
  distractors: wrongSummaries(world, rng),
  span: whole(world),
});

export const overallSummarization = [summary];
