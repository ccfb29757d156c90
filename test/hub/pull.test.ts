// `hourllava pull` and model ids against a stand-in hub on loopback (no network): the standard cache layout that
// Python's huggingface_hub reads, resume after a cut transfer with identical bytes, a corrupted byte refused, the
// token sent to the hub only (not to the storage it redirects to), offline mode, gated and unknown repositories,
// and `ask --model <id>` answering as `ask --model <folder>` does.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cachedSnapshot, parseHubId } from "../../src/hub/hub-cache.ts";
import { pullModel } from "../../src/hub/hub-pull.ts";
import { resolveModel } from "../../src/app/resolve-model.ts";
import { listCachedModels, removeCachedModel } from "../../src/hub/hub-models.ts";
import { repoFromFolder, startHubServer, TOKEN, type HubServer } from "../helpers/hub-server.ts";

const MODEL = "models/hourllava-tiny";
const ID = parseHubId("hourllava/tiny")!;
let hub: HubServer;
let dir = "";
const repo = repoFromFolder(MODEL);

before(async () => {
  hub = await startHubServer({ "hourllava/tiny": repo, "hourllava/gated": { ...repoFromFolder(MODEL), gated: true } });
  dir = mkdtempSync(join(tmpdir(), "hl-hub-"));
});
after(async () => {
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
});

const cacheIn = (name: string) => join(dir, name);

test("model ids: org/name[@revision]; paths and odd strings are not ids", () => {
  assert.deepEqual(parseHubId("jylins/hourllava-qwen25-3b-s3"), { repo: "jylins/hourllava-qwen25-3b-s3", revision: "main" });
  assert.deepEqual(parseHubId("a/b@v1.0"), { repo: "a/b", revision: "v1.0" });
  for (const s of ["./a/b", "/abs/path", "a/b/c", "../x", "a", "a/.."]) assert.equal(parseHubId(s), undefined, s);
});

test("pull writes the standard hub cache: blobs by etag, refs/main, relative snapshot links; a second pull fetches nothing", async () => {
  const cacheDir = cacheIn("c1");
  const progress: number[] = [];
  const r = await pullModel(ID, { endpoint: hub.endpoint, cacheDir, onProgress: (d) => progress.push(d) });
  const folder = join(cacheDir, "models--hourllava--tiny");
  assert.equal(readFileSync(join(folder, "refs", "main"), "utf8"), repo.commit);
  assert.equal(r.dir, join(folder, "snapshots", repo.commit));
  assert.deepEqual(readdirSync(r.dir).sort(), ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]);
  for (const f of readdirSync(r.dir)) {
    assert.ok(lstatSync(join(r.dir, f)).isSymbolicLink(), f);
    assert.match(readlinkSync(join(r.dir, f)), /^\.\.\/\.\.\/blobs\/[0-9a-f]{40,64}$/);
    assert.deepEqual(readFileSync(join(r.dir, f)), readFileSync(join(MODEL, f)));
  }
  assert.equal(
    progress.at(-1),
    r.files.reduce((s, f) => s + f.bytes, 0),
  );
  assert.equal(cachedSnapshot(ID, cacheDir), r.dir);
  const fetches = hub.seen.length;
  const again = await pullModel(ID, { endpoint: hub.endpoint, cacheDir });
  assert.ok(again.files.every((f) => !f.downloaded));
  assert.ok(
    hub.seen.slice(fetches).every((s) => !(s.origin === "cdn")),
    "no bytes fetched again",
  );
});

test("a transfer cut mid-file resumes with a Range request and ends with identical bytes", async () => {
  const cacheDir = cacheIn("c2");
  hub.cutAfter.set("model.safetensors", 100_000);
  await assert.rejects(pullModel(ID, { endpoint: hub.endpoint, cacheDir }));
  const blobs = join(cacheDir, "models--hourllava--tiny", "blobs");
  const partial = readdirSync(blobs).find((n) => n.endsWith(".incomplete"))!;
  assert.equal(lstatSync(join(blobs, partial)).size, 100_000);
  assert.equal(cachedSnapshot(ID, cacheDir), undefined, "a cut pull leaves no usable snapshot");
  const from = hub.seen.length;
  const r = await pullModel(ID, { endpoint: hub.endpoint, cacheDir });
  assert.deepEqual(readFileSync(join(r.dir, "model.safetensors")), readFileSync(join(MODEL, "model.safetensors")));
  assert.ok(
    hub.seen.slice(from).some((s) => s.origin === "cdn"),
    "the rest came from the CDN",
  );
  assert.ok(!readdirSync(blobs).some((n) => n.endsWith(".incomplete")));
});

test("a corrupted byte is refused and deleted, never linked", async () => {
  const cacheDir = cacheIn("c3");
  hub.corrupt.add("model.safetensors");
  try {
    await assert.rejects(pullModel(ID, { endpoint: hub.endpoint, cacheDir }), /model\.safetensors arrived corrupted .* it was deleted, run pull again/);
  } finally {
    hub.corrupt.delete("model.safetensors");
  }
  const blobs = join(cacheDir, "models--hourllava--tiny", "blobs");
  assert.ok(!readdirSync(blobs).some((n) => n.endsWith(".incomplete")));
  assert.equal(cachedSnapshot(ID, cacheDir), undefined);
});

test("the token goes to the hub only, never to the storage it redirects to; gated needs it, unknown is 404", async () => {
  const cacheDir = cacheIn("c4");
  await assert.rejects(pullModel(parseHubId("hourllava/gated")!, { endpoint: hub.endpoint, cacheDir }), /refused access .* HF_TOKEN/);
  const from = hub.seen.length;
  await pullModel(parseHubId("hourllava/gated")!, { endpoint: hub.endpoint, cacheDir, token: TOKEN });
  const during = hub.seen.slice(from);
  assert.ok(during.some((s) => s.origin === "hub" && s.auth === `Bearer ${TOKEN}`));
  assert.ok(during.some((s) => s.origin === "cdn"));
  assert.ok(
    during.filter((s) => s.origin === "cdn").every((s) => s.auth === undefined),
    "no token sent to the CDN",
  );
  await assert.rejects(pullModel(parseHubId("nobody/nothing")!, { endpoint: hub.endpoint, cacheDir }), /no such model or revision/);
});

test("offline: a cached id resolves without the network, a missing one names the command that fetches it", async () => {
  const cacheDir = cacheIn("c1"); // pulled above
  const old = process.env.HF_HUB_OFFLINE;
  process.env.HF_HUB_OFFLINE = "1";
  try {
    const from = hub.seen.length;
    assert.equal(await resolveModel("hourllava/tiny", { cacheDir }), join(cacheDir, "models--hourllava--tiny", "snapshots", repo.commit));
    assert.equal(hub.seen.length, from);
    await assert.rejects(
      resolveModel("hourllava/other", { cacheDir }),
      /hourllava\/other: not a folder, and not in the hub cache .* HF_HUB_OFFLINE is set; fetch it with `hourllava pull hourllava\/other`/,
    );
  } finally {
    if (old === undefined) delete process.env.HF_HUB_OFFLINE;
    else process.env.HF_HUB_OFFLINE = old;
  }
});

test("hourllava pull, then ask --model <id> answers as ask --model <folder>", async () => {
  const env = { ...process.env, HF_ENDPOINT: hub.endpoint, HF_HUB_CACHE: cacheIn("c5"), HOURLLAVA_CACHE: cacheIn("mem") };
  // Asynchronous: the stand-in hub runs in this process, so a blocking spawn would never be answered.
  const run = (args: string[], extra: Record<string, string> = {}) =>
    new Promise<{ code: number; out: string; err: string }>((r) =>
      execFile(process.execPath, ["bin/hourllava.js", ...args], { encoding: "utf8", env: { ...env, ...extra } }, (e, out, err) =>
        r({ code: e ? ((e as { code?: number }).code ?? 1) : 0, out, err }),
      ),
    );
  const p = await run(["pull", "hourllava/tiny", "--quiet"]);
  assert.equal(p.code, 0, p.err);
  assert.equal(JSON.parse(p.out).commit, repo.commit);
  const q = ["samples/demo.png", "What scene is shown?", "--max-tokens", "4"];
  const byId = await run(["ask", ...q, "--model", "hourllava/tiny"], { HF_HUB_OFFLINE: "1" });
  const byDir = await run(["ask", ...q, "--model", MODEL]);
  assert.equal(byId.code, 0, byId.err);
  assert.equal(byId.out, byDir.out);
  assert.ok(existsSync(join(cacheIn("c5"), "models--hourllava--tiny", "refs", "main")));
});

test("models ls lists what pull wrote (via the official scanCacheDir); rm keeps blobs another snapshot shares", async () => {
  const cacheDir = cacheIn("c6");
  await pullModel(ID, { endpoint: hub.endpoint, cacheDir });
  // A second revision of the same repository: the same files but one, at another commit.
  const v2 = { ...repoFromFolder(MODEL, "fedcba9876543210fedcba9876543210fedcba98") };
  v2.files.set("generation_config.json", Buffer.from('{"max_new_tokens": 8}\n'));
  const hub2 = await startHubServer({ "hourllava/tiny": v2 });
  try {
    await pullModel(ID, { endpoint: hub2.endpoint, cacheDir });
  } finally {
    await hub2.close();
  }
  const listed = await listCachedModels(cacheDir);
  assert.deepEqual(listed.map((m) => [m.id, m.commit.slice(0, 4), m.refs]).sort(), [
    ["hourllava/tiny", "0123", []],
    ["hourllava/tiny", "fedc", ["main"]],
  ]);
  const r = removeCachedModel(ID, cacheDir); // main now points at fedc…
  assert.equal(r.commit, v2.commit);
  assert.ok(r.bytes > 0 && r.bytes < 1000, `only the generation config's blob is freed (${r.bytes} bytes)`);
  const old = join(cacheDir, "models--hourllava--tiny", "snapshots", repo.commit);
  assert.deepEqual(readFileSync(join(old, "model.safetensors")), readFileSync(join(MODEL, "model.safetensors")), "the other snapshot still reads");
  assert.deepEqual(
    (await listCachedModels(cacheDir)).map((m) => m.commit),
    [repo.commit],
  );
});
