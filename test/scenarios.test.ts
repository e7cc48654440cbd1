import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { readExternalMeasurements } from "../src/2-measurements/external";
import { simulateBoot } from "../src/1-model/boot";
import { defaultParams, fqsDelayJiffies, gracePeriodMedianUs, rcuRestFactor } from "../src/1-model/params";
import { nrCpuIds, validateScenario, withCpus } from "../src/1-model/scenario";
import { readScenarioFile, requestsPerCpu, scenarioFromJson, scenarioToJson, seedScenario } from "../src/1-model/scenarios";
import { paths } from "../src/core/paths";
import { runNode, tmpDir } from "./helpers";

const seedJson = () => JSON.parse(fs.readFileSync(paths.seedScenario, "utf8"));

test("the seed's machine ships as the seed study's scenario.json: 288 CPUs, HZ 250, 2 + 1 requests per CPU", () => {
  const s = seedScenario();
  assert.equal(s.cpus, 288);
  assert.equal(s.hz, 250);
  assert.deepEqual(requestsPerCpu(s), { acpi_cpufreq: 2, pcc_cpufreq: 1 });
  // The file form round-trips.
  assert.deepEqual(scenarioFromJson(scenarioToJson(s, seedJson().notes)), s);
});

test("every shipped scenario file is valid", () => {
  const files = [...fs.readdirSync(paths.scenarios).filter((f) => f.endsWith(".json")).map((f) => path.join(paths.scenarios, f)), paths.seedScenario];
  assert.ok(files.length >= 3, files.join(","));
  for (const f of files) assert.doesNotThrow(() => readScenarioFile(f), f);
});

/** One bad field at a time: each mutation of the seed file and the field its error must name. */
const mutations: Array<[string, (j: any) => void, RegExp]> = [
  ["unknown top-level key", (j) => (j.cpus = 288), /^invalid scenario: cpus: unknown key \(allowed name, description, notes, source, machine, udevd, /],
  ["missing machine", (j) => delete j.machine, /^invalid scenario: machine: missing \(allowed an object of cpus, possibleCpus, ramMiB, hz\)$/],
  ["missing machine.hz", (j) => delete j.machine.hz, /^invalid scenario: machine\.hz: missing/],
  ["hz not a Kconfig choice", (j) => (j.machine.hz = 200), /^invalid scenario: machine\.hz: 200 \(allowed 100\|250\|300\|1000\)/],
  ["cpus as a string", (j) => (j.machine.cpus = "288"), /^invalid scenario: machine\.cpus: "288" \(allowed integer 1\.\.16384\)/],
  ["cpus out of range", (j) => (j.machine.cpus = 20000), /^invalid scenario: machine\.cpus: 20000 \(allowed integer 1\.\.16384\)/],
  ["fractional ramMiB", (j) => (j.machine.ramMiB = 1.5), /^invalid scenario: machine\.ramMiB: 1\.5/],
  ["userspace unknown", (j) => (j.userspace = "systemd"), /^invalid scenario: userspace: "systemd" \(allowed udev\|direct\)/],
  ["background not boolean", (j) => (j.background = "yes"), /^invalid scenario: background: "yes" \(allowed true\|false\)/],
  ["phases empty", (j) => (j.phases = []), /^invalid scenario: phases: \[\] \(allowed an array of at least 1\)$/],
  ["phase with an unknown class", (j) => (j.phases[1].deviceClass = "pci"), /^invalid scenario: phases\[1\]\.deviceClass: "pci" \(allowed acpi-processor\|cpu\)$/],
  ["negative requests per CPU", (j) => (j.phases[0].perCpu = -1), /^invalid scenario: phases\[0\]\.perCpu: -1/],
  ["phase with an extra key", (j) => (j.phases[0].order = 1), /^invalid scenario: phases\[0\]\.order: unknown key \(allowed deviceClass, perCpu, fixed\)$/],
  ["class naming an unknown module", (j) => (j.deviceClasses.cpu = ["intel_pstate"]), /^invalid scenario: deviceClasses\.cpu: "intel_pstate" \(allowed /],
  ["class with a repeated module", (j) => (j.deviceClasses.cpu = ["acpi_cpufreq", "acpi_cpufreq"]), /^invalid scenario: deviceClasses\.cpu: .*without repeats/],
  ["module missing initErrno", (j) => delete j.modules.pcc_cpufreq.initErrno, /^invalid scenario: modules\.pcc_cpufreq\.initErrno: missing \(allowed EEXIST\|ENODEV\|EBUSY\|EINVAL\|EIO\)$/],
  ["negative init latency", (j) => (j.modules.acpi_cpufreq.initLatencyMs = -5), /^invalid scenario: modules\.acpi_cpufreq\.initLatencyMs: -5/],
  ["unknown errno", (j) => (j.modules.acpi_cpufreq.initErrno = "ENOENT"), /^invalid scenario: modules\.acpi_cpufreq\.initErrno: "ENOENT" \(allowed EEXIST\|ENODEV\|EBUSY\|EINVAL\|EIO\)$/],
  ["init result unknown", (j) => (j.modules.acpi_cpufreq.initResult = "maybe"), /^invalid scenario: modules\.acpi_cpufreq\.initResult: "maybe" \(allowed success\|fail\)/],
  ["zero-byte module", (j) => (j.modules.acpi_cpufreq.fileBytes = 0), /^invalid scenario: modules\.acpi_cpufreq\.fileBytes: 0/],
];

for (const [what, mutate, expected] of mutations) {
  test(`scenario file validation: ${what}`, () => {
    const j = seedJson();
    mutate(j);
    assert.throws(() => scenarioFromJson(j), (err: Error) => {
      assert.match(err.message, expected);
      assert.equal(err.message.split("\n").length, 1);
      return true;
    });
  });
}

test("--scenario FILE: a bad file is one line naming file and field, exit 2, nothing on stdout", (t) => {
  const dir = tmpDir(t);
  const bad = path.join(dir, "bad.json");
  const j = seedJson();
  j.machine.hz = 123;
  fs.writeFileSync(bad, JSON.stringify(j));
  for (const [file, pattern] of [
    [bad, /^modburst: invalid .*bad\.json: machine\.hz: 123 \(allowed 100\|250\|300\|1000\)$/m],
    [path.join(dir, "missing.json"), /invalid scenario file: .*missing\.json: ENOENT/],
    [dir + "/", /invalid scenario file: .*not a regular file/],
  ] as const) {
    const r = runNode("bin/modburst.js", ["simulate", "--scenario", file, "--boots", "1"]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
  fs.writeFileSync(bad, "{ not json");
  const r = runNode("bin/modburst.js", ["sweep", "--scenario", bad, "--out", path.join(dir, "x.csv")]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /not JSON/);
  assert.ok(!fs.existsSync(path.join(dir, "x.csv")));
});

test("--scenario FILE runs the file's machine: the 192-CPU external machine loads each module 192 times", () => {
  const r = runNode("bin/modburst.js", ["simulate", "--scenario", "data/scenarios/spr192-kernel-ark.json", "--policy", "merge", "--boots", "1", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout);
  assert.equal(doc.cpus, 192);
  assert.equal(doc.boots[0].modules.acpi_cpufreq.attempts, 192);
  assert.equal(doc.boots[0].modules.pcc_cpufreq.attempts, 192);
});

test("grace periods: integer d counted in the machine's jiffies, times the FQS rounds, plus a tick, plus the rest", () => {
  // kernel/rcu/tree.c: RCU_JIFFIES_TILL_FORCE_QS (1 + (HZ > 250) + (HZ > 500)) + nr_cpu_ids / 256, integer division.
  assert.equal(fqsDelayJiffies(288, 250), 2);
  assert.equal(fqsDelayJiffies(255, 250), 1);
  assert.equal(fqsDelayJiffies(256, 250), 2);
  assert.equal(fqsDelayJiffies(511, 250), 2);
  assert.equal(fqsDelayJiffies(512, 250), 3);
  assert.equal(fqsDelayJiffies(4096, 250), 17);
  assert.equal(fqsDelayJiffies(192, 1000), 3);
  assert.equal(fqsDelayJiffies(192, 300), 2);
  const one = { ...defaultParams(), rcuGpExtraMs: 20, fqsRounds: 1, rcuRestScaling: 0 };
  const two = { ...one, fqsRounds: 2 };
  // d jiffies per round, one jiffy (the median of 0-2) of tick delay, the rest.
  assert.equal(gracePeriodMedianUs(one, 288, 250), 2 * 4000 + 4000 + 20_000);
  assert.equal(gracePeriodMedianUs(two, 288, 250), 2 * 2 * 4000 + 4000 + 20_000);
  assert.equal(gracePeriodMedianUs(two, 1024, 250), 2 * 5 * 4000 + 4000 + 20_000);
  assert.equal(gracePeriodMedianUs(one, 288, 1000), 4 * 1000 + 1000 + 20_000);
  // The rest scales only in the rcuRestScaling variant: ln(nr_cpu_ids) / ln(256).
  const scaled = { ...one, rcuRestScaling: 1 };
  assert.equal(gracePeriodMedianUs(scaled, 256, 250), gracePeriodMedianUs(one, 256, 250));
  assert.ok(Math.abs(rcuRestFactor(scaled, 4096) - 1.5) < 1e-12);
  assert.equal(rcuRestFactor(one, 4096), 1);
});

test("nr_cpu_ids is the possible CPUs: a scenario with more possible than online CPUs has the longer FQS wait, and withCpus drops it", () => {
  const s = { ...seedScenario(), possibleCpus: 512 };
  assert.equal(nrCpuIds(validateScenario(s)), 512);
  assert.equal(nrCpuIds(seedScenario()), 288);
  assert.equal(nrCpuIds(withCpus(s, 1024)), 1024);
  assert.throws(() => validateScenario({ ...seedScenario(), possibleCpus: 100 }), /^UserError: invalid scenario: machine\.possibleCpus: 100 \(allowed integer 288\.\.16384\)$/);
  // The same boot: every grace period is longer with d = 3 jiffies than with 2, so a failing base burst is too.
  const p = { ...defaultParams(), bgWakeupsPerS: 0 };
  const span = (sc: typeof s) => simulateBoot({ policy: "base", scenario: withCpusKeepingPossible(sc, 16), params: p, seed: 3, boot: 1 }).modules.pcc_cpufreq.spanSeconds;
  assert.ok(span({ ...s, possibleCpus: 512 }) > span({ ...s, possibleCpus: 288 }));
});

function withCpusKeepingPossible(s: ReturnType<typeof seedScenario>, cpus: number) {
  return { ...withCpus(s, cpus), possibleCpus: s.possibleCpus };
}

test("background loads decay: most wake-ups of other drivers come early in coldplug", () => {
  const params = { ...defaultParams(), bgWakeupsPerS: 200, bgDecayS: 1, jitterSigma: 0 };
  const r = simulateBoot({ policy: "merge", scenario: { ...seedScenario(8), phases: [{ deviceClass: "cpu", perCpu: 1, fixed: 0 }] }, params, seed: 1, boot: 1, log: true });
  const holds = (r.mutexHolds ?? []).map(([s]) => s / 1e6);
  const early = holds.filter((t) => t < 1).length;
  const late = holds.filter((t) => t >= 1 && t < 2).length;
  // e^-1 of the first second's rate in the next second: about 2.7x fewer.
  assert.ok(early > 2 * late, `early ${early}, late ${late}`);
  assert.ok(holds.filter((t) => t > 6).length < 3);
});

test("external measurements: every row validated, the comparable spans present, never read by calibration", () => {
  const ms = readExternalMeasurements();
  assert.ok(ms.length > 20);
  const ids = ms.map((m) => m.id);
  for (const id of ["p192-vanilla-acpi-span", "p192-patch-pcc-span", "p192-vanilla-acpi-logged"]) assert.ok(ids.includes(id), id);
  assert.equal(ms.find((m) => m.id === "p192-vanilla-acpi-span")!.value, 5.56678);
  const src = fs.readdirSync(path.join(paths.root, "src", "3-experiments", "calibrate")).map((f) => fs.readFileSync(path.join(paths.root, "src", "3-experiments", "calibrate", f), "utf8"));
  assert.ok(src.every((s) => !s.includes("external")), "calibrate/ must not read the external data");
  const readme = fs.readFileSync(path.join(path.dirname(paths.externalMeasurements), "README.md"), "utf8");
  for (const m of ms) assert.ok(readme.includes(m.sourceId), `README has no section for ${m.sourceId}`);
});

test("external measurements loader: a bad row names file, line and column", (t) => {
  const dir = tmpDir(t);
  const file = path.join(dir, "m.csv");
  const lines = fs.readFileSync(paths.externalMeasurements, "utf8").split("\n");
  const cases: Array<[string, RegExp]> = [
    [lines[1].replace(",base,", ",fast,"), /:2: policy: fast/],
    [lines[1].replace(",5.566780,", ",-5,"), /:2: value: -5/],
    [lines[1].replace(",192,", ",0,"), /:2: cpus: 0/],
    [lines[1].replace(",span_seconds,", ",Span Seconds,"), /:2: metric/],
    [lines[1].replace("p192-vanilla-acpi-span", "p192-vanilla-acpi-logged"), /:\d+: id: p192-vanilla-acpi-logged \(allowed each id once\)/],
    [lines[1] + ",extra", /:2: 12 fields/],
  ];
  for (const [row, pattern] of cases) {
    fs.writeFileSync(file, [lines[0], row, ...lines.slice(2)].join("\n"));
    assert.throws(() => readExternalMeasurements(file), pattern);
  }
});
