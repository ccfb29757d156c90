// The VideoMarathon task taxonomy: 22 tasks over six topics, read off Fig. 1a of arXiv 2506.05332.
// "short" tasks concern one moment of the video, "long" tasks span it.

export const TOPICS = ["Temporality", "Spatiality", "Object", "Action", "Scene", "Event"] as const;
export type Topic = (typeof TOPICS)[number];
export type TaskForm = "short" | "long";

export interface TaskInfo {
  readonly name: string;
  readonly topic: Topic;
  readonly form: TaskForm;
}

const t = (name: string, topic: Topic, form: TaskForm): TaskInfo => ({ name, topic, form });

export const TASKS: readonly TaskInfo[] = [
  t("Temporal Perception", "Temporality", "short"),
  t("Duration Perception", "Temporality", "long"),
  t("Temporal Reasoning", "Temporality", "long"),
  t("Temporal Gap Estimation", "Temporality", "long"),
  t("Temporal Order", "Temporality", "long"),
  t("Spatial Perception", "Spatiality", "short"),
  t("Spatial Reasoning", "Spatiality", "long"),
  t("Object Recognition", "Object", "short"),
  t("Object Attribute", "Object", "short"),
  t("Object Interaction", "Object", "short"),
  t("Object Reasoning", "Object", "long"),
  t("Object Existence", "Object", "long"),
  t("Object Permanence", "Object", "long"),
  t("Action Recognition", "Action", "short"),
  t("Action Localization", "Action", "long"),
  t("Action Sequence", "Action", "long"),
  t("Action Reasoning", "Action", "long"),
  t("Scene Recognition", "Scene", "short"),
  t("Scene Transition", "Scene", "long"),
  t("Event Sequence", "Event", "long"),
  t("Key Event Extraction", "Event", "long"),
  t("Overall Summarization", "Event", "long"),
];

export type TaskName = string;

const byKey = new Map(TASKS.map((x) => [normaliseTaskName(x.name), x]));

/** Case-, space-, dash- and underscore-insensitive key, so "object_permanence" finds "Object Permanence". */
export function normaliseTaskName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[\s_\-]+/g, " ")
    .trim();
}

/** The task with this name (loosely spelled), or undefined. */
export function findTask(name: string): TaskInfo | undefined {
  return byKey.get(normaliseTaskName(name));
}

export function tasksOfTopic(topic: Topic): TaskInfo[] {
  return TASKS.filter((x) => x.topic === topic);
}
