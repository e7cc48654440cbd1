/**
 * Each CSV kind written then read back gives the same rows (fast-check), for
 * any module name the kit accepts: commas, quotes, spaces at either end.
 */
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import fc from "fast-check";
import { eventColumns, measuredColumns, readCsv } from "../src/core/csv";
import { eventsCsvBytes, formatMs, measuredCsvText } from "../src/2-measurements/journals/csv";
import { attemptsOf, readLogRun } from "../src/2-measurements/journals/readLogs";
import type { ModuleSpan } from "../src/2-measurements/journals/spans";
import { isModuleName } from "../src/1-model/scenario";
import { formatSweepCsv, SweepRow } from "../src/3-experiments/sweep/csv";
import { Grid, gridPoint, gridSize, parseShard } from "../src/3-experiments/sweep/grid";
import type { SweepProvenance } from "../src/3-experiments/sweep/provenance";
import { readSweepCsv } from "../src/3-experiments/sweep/readCsv";
import { tmpDir } from "./helpers";

/** Names with the characters that need quoting most of the time, and any other accepted name some of the time. */
const moduleName = fc.oneof(fc.stringOf(fc.constantFrom("a", "_", ",", '"', " ", "é", "#"), { minLength: 1, maxLength: 10 }), fc.string({ minLength: 1, maxLength: 20 })).filter(isModuleName);
const count = fc.nat({ max: 1000 });
const seconds = fc.double({ min: 0, max: 1e4, noNaN: true }).map(Math.abs);

test("sweep CSV: formatSweepCsv then readSweepCsv gives back the rows and provenance, any module names (fast-check)", (t) => {
  const dir = tmpDir(t);
  const file = path.join(dir, "s.csv");
  const sample = fc.record({ modules: fc.uniqueArray(moduleName, { minLength: 1, maxLength: 4 }), boots: fc.integer({ min: 1, max: 3 }), seed: fc.nat() });
  fc.assert(
    fc.property(sample, fc.infiniteStream(fc.tuple(seconds, count, count, count, count)), ({ modules, boots, seed }, numbers) => {
      const grid: Grid = { policies: ["base", "merge"], cpus: [8], initLatencyMs: [0, 2.5], initResults: ["fail"], boots, seed };
      const jobsTotal = gridSize(grid);
      const provenance: SweepProvenance = {
        grid: { ...grid, scenario: { name: "odd", sha256: "0".repeat(64), modules } },
        params: "1".repeat(64),
        code: "2".repeat(16),
        shard: { k: 1, n: 1 },
        jobsTotal,
      };
      const values = numbers[Symbol.iterator]();
      const rows: SweepRow[] = [];
      for (let job = 0; job < jobsTotal; job++) {
        const p = gridPoint(grid, job);
        for (const module of modules) {
          const [spanSeconds, attempts, fullLoads, herdWakeups, peakVmallocBytes] = values.next().value as number[];
          rows.push({ job, jobsTotal, policy: p.policy, cpus: p.cpus, initLatencyMs: p.initLatencyMs, initResult: p.initResult, seed, boot: p.boot, module, spanSeconds, attempts, fullLoads, herdWakeups, peakVmallocBytes });
        }
      }
      fs.writeFileSync(file, formatSweepCsv(rows, provenance));
      const back = readSweepCsv(file);
      assert.deepEqual(back.rows, rows);
      assert.deepEqual(back.provenance, provenance);
    }),
    { numRuns: 60 },
  );
});

test("measured CSV: measuredCsvText then readCsv gives back every cell, any module names (fast-check)", (t) => {
  const file = path.join(tmpDir(t), "m.csv");
  const span = fc.record({ module: moduleName, boot: fc.integer({ min: 1, max: 99 }), spanMs: fc.nat({ max: 10 ** 7 }), attempts: count });
  fc.assert(
    fc.property(fc.array(span, { maxLength: 8 }), (spans: ModuleSpan[]) => {
      fs.writeFileSync(file, measuredCsvText(spans, "base", "merge"));
      const back = readCsv(file, measuredColumns).map((r) => r.values);
      assert.deepEqual(back, spans.map((s) => ({ config: "base", policy: "merge", module: s.module, boot: String(s.boot), seconds: formatMs(s.spanMs) })));
    }),
    { numRuns: 200 },
  );
});

test("events CSV: a udev log measured, eventsCsvBytes then readCsv gives back every attempt, any module names and errno texts (fast-check)", (t) => {
  const dir = tmpDir(t);
  const log = path.join(dir, "u.log");
  const file = path.join(dir, "e.csv");
  // kmod's names have no quote and no whitespace; errno texts are any text after the colon.
  const name = moduleName.filter((m) => !/['\s]/.test(m));
  const text = fc.oneof(fc.constant("Device or resource busy"), fc.stringOf(fc.constantFrom("a", ",", '"', " ", "#"), { minLength: 1, maxLength: 8 })).filter((x) => x.trim() === x && x !== "");
  const attempt = fc.record({ module: name, failed: fc.boolean(), text, gapUs: fc.integer({ min: 1, max: 999_999 }) });
  fc.assert(
    fc.property(fc.array(fc.array(attempt, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 3 }), (boots) => {
      const lines = boots.flatMap((attempts, b) => {
        let us = 2_000_000;
        const at = () => `Oct 15 10:0${b}:${String(Math.floor(us / 1e6)).padStart(2, "0")}.${String(us % 1e6).padStart(6, "0")} host systemd-udevd[812]: `;
        const head = [`-- Boot ${String(b).repeat(32)} --`, `${at()}Starting systemd-udevd version 251.4`];
        return [...head, ...attempts.map((a) => ((us += a.gapUs), at() + (a.failed ? `Failed to insert module '${a.module}': ${a.text}` : `Inserted module '${a.module}'`)))];
      });
      fs.writeFileSync(log, lines.join("\n") + "\n");
      const run = readLogRun([log], () => {});
      fs.writeFileSync(file, eventsCsvBytes(run));
      const back = readCsv(file, eventColumns).map((r) => r.values);
      const cells = attemptsOf(run).map((a) => ({ boot: String(a.boot), time_seconds: a.timeSeconds.toFixed(6), module: a.module, outcome: a.outcome, errno: a.errno, errno_text: a.errnoText }));
      assert.deepEqual(back, cells);
      assert.equal(back.length, boots.flat().length);
    }),
    { numRuns: 100 },
  );
});

test("the shard rule is one: --shard and a sweep CSV's # shard: line refuse N above 100000 alike", (t) => {
  assert.deepEqual(parseShard("2/100000"), { k: 2, n: 100000 });
  assert.throws(() => parseShard("1/100001"), /^UserError: invalid shard: 1\/100001 \(allowed K\/N with 1 <= K <= N <= 100000, e\.g\. 2\/8\)$/);
  const file = path.join(tmpDir(t), "s.csv");
  const grid = { policies: ["base"], cpus: [8], initLatencyMs: [0], initResults: ["fail" as const], boots: 1, seed: 1, scenario: { name: "s", sha256: "0".repeat(64), modules: ["m"] } };
  const text = formatSweepCsv([], { grid, params: "1".repeat(64), code: "2".repeat(16), shard: { k: 1, n: 100001 }, jobsTotal: 1 });
  fs.writeFileSync(file, text);
  assert.throws(() => readSweepCsv(file), /:5: shard: K\/N with 1 <= K <= N <= 100000$/);
});
