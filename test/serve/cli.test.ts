// `hourllava serve` as a user starts it: the bin prints where it listens, --api-key guards the API but not
// /health, SIGTERM stops it cleanly; bad option values fail with one line before the model loads.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runBinary } from "../app/tiny-model.ts";
import { checkExposure } from "../../src/serve/exposure.ts";

test("serve --port 0 --api-key: prints its URL, guards the API, answers /health, stops on SIGTERM", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "hl-serve-cli-"));
  const child = spawn(process.execPath, ["bin/hourllava.js", "serve", "--port", "0", "--api-key", "k1", "--quiet"], {
    env: { ...process.env, HOURLLAVA_CACHE: dir },
    stdio: ["ignore", "ignore", "pipe"],
  });
  try {
    let err = "";
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on("data", (b: Buffer) => {
        err += b.toString();
        const m = /hourllava serve: (http:\/\/127\.0\.0\.1:\d+)\//.exec(err);
        if (m) resolve(m[1]);
      });
      child.on("exit", (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
    });
    assert.equal((await fetch(`${url}/health`)).status, 200);
    assert.equal((await fetch(`${url}/v1/models`)).status, 401);
    const models = await fetch(`${url}/v1/models`, { headers: { authorization: "Bearer k1" } });
    assert.deepEqual(((await models.json()) as { data: { id: string }[] }).data[0].id, "hourllava-tiny");
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an open server: --host 0.0.0.0 without an API key is refused before the model loads, in one line", () => {
  const r = runBinary(["serve", "--host", "0.0.0.0", "--port", "0"]);
  assert.equal(r.code, 1);
  assert.match(r.err, /--host 0\.0\.0\.0 opens the server to the network; set --api-key .* or pass --insecure-no-auth/);
  assert.equal(r.err.trim().split("\n").length, 1);
});

test("checkExposure: loopback needs no key, the network needs a key or --insecure-no-auth (with a warning)", () => {
  assert.deepEqual(checkExposure({ host: "127.0.0.1" }), { loopback: true });
  assert.deepEqual(checkExposure({ host: "::1" }), { loopback: true });
  assert.deepEqual(checkExposure({ host: "0.0.0.0", apiKey: "k" }), { loopback: false });
  assert.throws(() => checkExposure({ host: "192.168.1.5" }), /--host 192\.168\.1\.5 opens the server/);
  const open = checkExposure({ host: "0.0.0.0", insecureNoAuth: true });
  assert.equal(open.loopback, false);
  assert.match(open.warning!, /without an API key .*anyone who reaches this port/);
});

test("serve with a bad option value fails with one line", () => {
  for (const [args, want] of [
    [["--port", "70000"], /--port: expected an integer in 0\.\.65535/],
    [["--max-waiting", "-1"], /--max-waiting: expected an integer ≥ 0/],
    [["--queue", "3"], /--queue is no longer an option of this command: the number of requests that may wait is --max-waiting/],
    [["--max-upload", "lots"], /--max-upload: expected a size/],
  ] as const) {
    const r = runBinary(["serve", ...args]);
    assert.equal(r.code, 1);
    assert.match(r.err, want);
    assert.equal(r.err.trim().split("\n").length, 1);
  }
});
