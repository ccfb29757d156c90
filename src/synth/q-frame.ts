// Questions about one frame, answerable from that frame alone (the stand-in for stage 1's image-text data):
// the scene, how many objects, which object, its colour, shape, size and region, and whether one is there.
import { findTask } from "../data/taxonomy.ts";
import type { Draft } from "./q-common.ts";
import { numberPool } from "./q-common.ts";
import { REGION_MARGIN } from "./q-spatiality.ts";
import { draftQuestions, letterDeck, type QaFormat, type SynthQuestion } from "./questions.ts";
import { Rng } from "./rng.ts";
import { frameState, regionMargin, regionOf, type VisibleObject } from "./state.ts";
import { COLOURS, REGIONS, SCENES, SHAPES } from "./vocab.ts";
import type { World } from "./world.ts";

/** The frame is the whole (one-second) video the question is about. */
const SPAN = { start: 0, end: 1 };

type FrameTemplate = (vis: VisibleObject[], scene: string, rng: Rng) => Draft | null;

const ALL_NAMES = COLOURS.flatMap((c) => SHAPES.map((s) => `${c} ${s}`));
const notShown = (vis: VisibleObject[]) => ALL_NAMES.filter((n) => !vis.some((v) => v.object.name === n));
const draft = (kind: string, question: string, answer: string, distractors: string[], mc?: Draft["mc"]): Draft => ({
  kind,
  question,
  answer,
  distractors,
  span: SPAN,
  ...(mc !== undefined ? { mc } : {}),
});

/** A visible object at random, if no other visible object shares its shape (or colour): the name is unambiguous. */
function pickUnique(vis: VisibleObject[], rng: Rng, key: "shape" | "colour"): VisibleObject | null {
  const v = vis.length ? rng.pick(vis) : null;
  return v && vis.filter((x) => x.object[key] === v.object[key]).length === 1 ? v : null;
}

/** One attribute of an object named by the other: the colour of "the triangle", the shape of "the red object". */
function attributeOf(kind: string, by: "shape" | "colour", question: (v: VisibleObject) => string): FrameTemplate {
  const asked = by === "shape" ? "colour" : "shape";
  const pool: readonly string[] = asked === "colour" ? COLOURS : SHAPES;
  return (vis, _s, rng) => {
    const v = pickUnique(vis, rng, by);
    return (
      v &&
      draft(
        kind,
        question(v),
        v.object[asked],
        pool.filter((x) => x !== v.object[asked]),
      )
    );
  };
}

const TEMPLATES: Record<string, { task: string; make: FrameTemplate }> = {
  scene: {
    task: "Scene Recognition",
    make: (_v, scene) =>
      draft(
        "frame-scene",
        "What scene is shown?",
        scene,
        SCENES.filter((s) => s !== scene),
      ),
  },
  count: {
    task: "Object Existence",
    make: (vis) => draft("frame-count", "How many objects are on screen?", String(vis.length), numberPool(vis.length)),
  },
  only: {
    task: "Object Recognition",
    make: (vis) => (vis.length === 1 ? draft("frame-only-object", "Which object is on screen?", vis[0].object.name, notShown(vis)) : null),
  },
  colour: { task: "Object Attribute", make: attributeOf("frame-colour", "shape", (v) => `What colour is the ${v.object.shape}?`) },
  shape: { task: "Object Attribute", make: attributeOf("frame-shape", "colour", (v) => `What shape is the ${v.object.colour} object?`) },
  size: {
    task: "Object Attribute",
    make: (vis, _s, rng) => {
      const v = vis.length ? rng.pick(vis) : null;
      return v ? draft("frame-size", `Is the ${v.object.name} small or large?`, v.object.size, [], null) : null;
    },
  },
  region: {
    task: "Spatial Perception",
    make: (vis, _s, rng) => {
      const v = vis.length ? rng.pick(vis) : null;
      if (!v || regionMargin(v.pos) < REGION_MARGIN) return null;
      const region = regionOf(v.pos);
      return draft(
        "frame-region",
        `Where on the screen is the ${v.object.name}?`,
        region,
        REGIONS.filter((r) => r !== region),
      );
    },
  },
  exists: {
    task: "Object Existence",
    make: (vis, _s, rng) => {
      const shown = vis.length > 0 && rng.chance(0.5);
      const name = shown ? rng.pick(vis).object.name : rng.pick(notShown(vis));
      // Yes/no has no four options; the MC form asks which of four objects is there.
      const mc = vis.length ? { question: "Which of these objects is on screen?", answer: rng.pick(vis).object.name, distractors: notShown(vis) } : null;
      return draft("frame-exists", `Is there a ${name} on screen?`, shown ? "yes" : "no", [], mc);
    },
  },
};

/** Every template that applies to frame t of the world, in both formats, in a seeded random order. */
export function frameQuestions(world: World, t: number, opts: { seed?: number; formats?: readonly QaFormat[] } = {}): SynthQuestion[] {
  const st = frameState(world, t);
  const root = new Rng(`frame-questions:${world.seed}:${world.durationS}:${t}:${opts.seed ?? 0}`);
  const nextLetter = letterDeck(root.fork("mc-letters"));
  const out: SynthQuestion[] = [];
  for (const [key, { task, make }] of Object.entries(TEMPLATES)) {
    const rng = root.fork(key);
    const d = make(st.objects, st.scene.scene, rng);
    const info = findTask(task)!;
    if (d) out.push(...draftQuestions(d, info, `synth-${world.seed}-${world.durationS}-t${t}-${d.kind}`, opts.formats ?? ["open", "mc"], rng, nextLetter));
  }
  return root.shuffle(out);
}
