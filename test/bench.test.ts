import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { test } from "node:test";
import { benchRecord, judge, missedCount, statusOf, thisMachine } from "../src/bench/targets";
import { externalTargets } from "../src/bench/timings";

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "modburst-bench-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("targets: a bound is judged either way; nothing measured is neither ok nor missed", () => {
  const max = judge({ name: "a", measured: 15, target: 15, unit: "ms", bound: "max", note: "" });
  const min = judge({ name: "b", measured: 0.45, target: 0.5, unit: "", bound: "min", note: "" });
  const none = judge({ name: "c", measured: null, target: 60, unit: "s", bound: "max", note: "" });
  assert.deepEqual([statusOf(max), statusOf(min), statusOf(none)], ["ok", "missed", "not measured"]);
  assert.equal(missedCount([max, min, none]), 1);
  const rec = benchRecord(thisMachine(), [max, min, none], new Date(0));
  assert.ok(rec.machine.cores >= 1 && rec.machine.cpuModel.length > 0 && rec.machine.node.startsWith("v"));
  assert.deepEqual(
    rec.targets.map((t) => [t.name, t.measured, t.target, t.unit, t.ok]),
    [["a", 15, 15, "ms", true], ["b", 0.45, 0.5, "", false], ["c", null, 60, "s", null]],
  );
});

test("timings.json: absent is 'not measured' (never missed); present is judged; broken is an error", (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, "timings.json");
  const absent = externalTargets(file, dir);
  assert.deepEqual(absent.map(statusOf), ["not measured", "not measured", "not measured", "not measured"]);
  assert.equal(missedCount(absent), 0);

  fs.writeFileSync(file, JSON.stringify({ reproduceColdSeconds: 61, reproduceWarmSeconds: 20, measuredAt: "2025-01-02T03:04:05Z" }));
  const some = externalTargets(file, dir);
  assert.deepEqual(some.map((x) => [x.name, x.measured, statusOf(x)]), [
    ["cold npm run reproduce", 61, "missed"],
    ["warm npm run reproduce", 20, "ok"],
    ["npm test", null, "not measured"],
    ["npm run test:jupyter", null, "not measured"],
  ]);
  assert.match(some[0].note, /measured 2025-01-02T03:04:05Z/);

  const bad: Array<[string, RegExp]> = [
    ["{", /^invalid timings file: \S*timings\.json: not JSON \(/],
    ["[1]", /^invalid \S*timings\.json: \[1\] \(allowed an object of reproduceColdSeconds, .*measuredAt\)$/],
    [JSON.stringify({ testSeconds: "fast" }), /^invalid \S*timings\.json: testSeconds: "fast" \(allowed number >= 0\)$/],
    [JSON.stringify({ measuredAt: "yesterday" }), /^invalid \S*timings\.json: measuredAt: "yesterday" \(allowed an ISO date\)$/],
    [JSON.stringify({ testSecs: 1 }), /^invalid \S*timings\.json: testSecs: unknown key \(allowed reproduceColdSeconds, .*\)$/],
  ];
  for (const [text, message] of bad) {
    fs.writeFileSync(file, text);
    assert.throws(() => externalTargets(file, dir), (e: Error) => message.test(e.message) || assert.fail(e.message));
  }
});
