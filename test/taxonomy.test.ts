import { test } from "node:test";
import assert from "node:assert/strict";
import { TASKS, TOPICS, findTask, tasksOfTopic } from "../src/data/taxonomy.ts";

test("22 tasks, 7 short and 15 long, over six topics with the paper's counts", () => {
  assert.equal(TASKS.length, 22);
  assert.equal(TASKS.filter((t) => t.form === "short").length, 7);
  assert.equal(TASKS.filter((t) => t.form === "long").length, 15);
  assert.deepEqual(
    TOPICS.map((t) => tasksOfTopic(t).length),
    [5, 2, 6, 4, 2, 3],
  );
  assert.equal(new Set(TASKS.map((t) => t.name)).size, 22);
});

test("task lookup tolerates case and separators, rejects unknown names", () => {
  assert.equal(findTask("object_permanence")?.name, "Object Permanence");
  assert.equal(findTask("SCENE-transition")?.topic, "Scene");
  assert.equal(findTask("Object Teleportation"), undefined);
});
