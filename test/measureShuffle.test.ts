/**
 * Property (fast-check, fixed seed): lines of other processes change nothing.
 * The SYNTHETIC study's logs (data/studies/synthetic-edac-96/logs/, and the
 * same boots written as json and debug logs) are re-measured after lines of
 * other processes (other units, systemd's other units, the kernel, other
 * processes that mention module loads) and udevd lines of other PIDs that
 * report no load are shuffled in at random places, with random times; the
 * measured CSV and the events CSV must come out byte-identical.
 */
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import fc from "fast-check";
import { eventsCsvBytes, measuredCsvText } from "../src/2-measurements/journals/csv";
import { LogFormat, readLogRun } from "../src/2-measurements/journals/readLogs";
import { checkSpans, spansOfRun } from "../src/2-measurements/journals/spans";
import { synthesizeLog } from "../src/2-measurements/journals/synthesize";
import { readParamsFile } from "../src/1-model/params";
import { loadStudy, studyScenario } from "../src/4-studies/study";
import { root, runNode, tmpDir } from "./helpers";

const seed = 20_261_206;
const runs = Number(process.env.MODBURST_PROPERTY_RUNS ?? 20);
const studyDir = path.join(root, "data/studies/synthetic-edac-96");

/** Both CSVs of a log, measured in-process as `modburst measure LOG --config base` does. */
function measureText(dir: string, text: string): { measured: string; events: string } {
  const file = path.join(dir, "noisy.log");
  fs.writeFileSync(file, text);
  const run = readLogRun([file], () => {});
  const { spans } = checkSpans(spansOfRun(run), 0, "refuse");
  return { measured: measuredCsvText(spans, "base", "base"), events: eventsCsvBytes(run).toString("utf8") };
}

/** Messages of other processes, some of them mentioning module loads (systemd-modules-load's, systemd's own) or other units. */
const otherProcesses: Array<[string, string]> = [
  ["NetworkManager[1020]", "<info>  [1665828063.1000] NetworkManager (version 1.38.4) is starting..."],
  ["systemd-modules-load[399]", "Inserted module 'msr'"],
  ["systemd-modules-load[399]", "Failed to insert module 'edac_synth': Device or resource busy"],
  ["systemd[1]", "Starting NetworkManager.service - Network Manager..."],
  ["systemd[1]", "Stopped systemd-journald.service - Journal Service."],
  ["systemd[1]", "Inserted module 'autofs4'"],
  ["kernel", "EDAC MC: Ver: 3.0.0"],
  ["kernel", "ACPI: \\_SB_.PCI0: _OSC: OS now controls [PCIeHotplug SHPCHotplug PME AER]"],
  ["chronyd[911]", "Selected source 192.0.2.1 (2.pool.ntp.org)"],
  ["systemd-udevd-watch[2211]", "Inserted module 'not_udevd'"],
];
/** udevd's own lines that report no load: other workers, other devices. */
const udevdLines = ["cpu17: Processing device (SEQNUM=4711, ACTION=add)", "LNXCPU:2a: Device processed (SEQNUM=4712, ACTION=add)", "Module 'edac_synth' is blacklisted", "cpu3: /usr/lib/udev/rules.d/80-drivers.rules:5 RUN{builtin}: 'kmod load $env{MODALIAS}'"];

interface Noise {
  /** Insert before the original line with this index (modulo the line count). */
  at: number;
  /** Another process's line, or a udevd line of another PID. */
  udevd: boolean;
  pick: number;
  /** A random time, for other processes' lines: any second of any day, microseconds too. */
  time: number;
  pid: number;
}

const noiseArb = fc.array(
  fc.record({ at: fc.nat(), udevd: fc.boolean(), pick: fc.nat(), time: fc.integer({ min: 0, max: 365 * 86_400e6 }), pid: fc.integer({ min: 2, max: 4_000_000 }) }),
  { minLength: 1, maxLength: 120 },
);

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n: number, w: number) => String(n).padStart(w, "0");
function wall(us: number): string {
  const d = new Date(Date.UTC(2022, 0, 1) + Math.floor(us / 1000));
  return `${months[d.getUTCMonth()]} ${pad(d.getUTCDate(), 2)} ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(us % 1e6, 6)}`;
}
const mono = (us: number) => `[${String(Math.floor(us / 1e6)).padStart(5, " ")}.${pad(us % 1e6, 6)}]`;

/**
 * Per format: whether a line is udevd's (and starts a boot's run of them), and
 * the noise line to insert after udevd line `prev` (null: before the boot's
 * first udevd line, where only other processes' lines go).
 */
const formats: Record<LogFormat, { isUdev: (l: string) => boolean; isBoundary: (l: string) => boolean; line: (n: Noise, prev: string | null) => string | null }> = {
  "short-precise": {
    isUdev: (l) => / systemd-udevd\[\d+\]: /.test(l),
    isBoundary: (l) => l.startsWith("-- "),
    line: (n, prev) => {
      if (!n.udevd || prev === null) {
        const [who, message] = otherProcesses[n.pick % otherProcesses.length];
        return `${wall(n.time)} host ${who}: ${message}`;
      }
      // The previous udevd line's time and host: udevd's clock never falls back.
      return `${prev.slice(0, prev.indexOf(" systemd-udevd["))} ${n.pick % 2 ? "(udev-worker)" : "systemd-udevd"}[${n.pid}]: ${udevdLines[n.pick % udevdLines.length]}`;
    },
  },
  json: {
    isUdev: (l) => l.includes('"SYSLOG_IDENTIFIER":"systemd-udevd"'),
    isBoundary: () => false,
    line: (n, prev) => {
      if (!n.udevd || prev === null) {
        const [who, message] = otherProcesses[n.pick % otherProcesses.length];
        const ident = who.replace(/\[\d+\]$/, "");
        const id = n.pick % 3 === 0 ? {} : { _BOOT_ID: `${pad(n.pid, 32)}` };
        return JSON.stringify({ __REALTIME_TIMESTAMP: String(1_640_995_200_000_000 + n.time), __MONOTONIC_TIMESTAMP: String(n.time % 900e6), ...id, SYSLOG_IDENTIFIER: ident, _PID: /\[(\d+)\]/.exec(who)?.[1] ?? "0", MESSAGE: message });
      }
      const p = JSON.parse(prev);
      return JSON.stringify({ ...p, _PID: String(n.pid), MESSAGE: udevdLines[n.pick % udevdLines.length] });
    },
  },
  debug: {
    isUdev: (l) => / systemd-udevd\[\d+\]: /.test(l),
    isBoundary: (l) => / Linux version /.test(l),
    line: (n, prev) => {
      if (!n.udevd || prev === null) {
        const [who, message] = otherProcesses[n.pick % otherProcesses.length];
        // A kernel line has no process name on the console.
        return who === "kernel" ? `${mono(n.time % 900e6)} ${message}` : `${mono(n.time % 900e6)} ${who}: ${message}`;
      }
      return `${prev.slice(0, prev.indexOf("]") + 1)} systemd-udevd[${n.pid}]: ${udevdLines[n.pick % udevdLines.length]}`;
    },
  },
};

/** The log with the noise inserted: at each place, in the order drawn (shuffled among themselves). */
function withNoise(text: string, format: LogFormat, noise: Noise[]): string {
  const lines = text.split("\n").slice(0, -1);
  const f = formats[format];
  // The udevd line before each place, within its boot.
  const prevUdev: Array<string | null> = [];
  let prev: string | null = null;
  for (const l of lines) {
    prevUdev.push(prev);
    if (f.isBoundary(l) || (format === "json" && prev !== null && JSON.parse(l)._BOOT_ID !== JSON.parse(prev)._BOOT_ID)) prev = null;
    if (f.isUdev(l)) prev = l;
  }
  const before = new Map<number, string[]>();
  for (const n of noise) {
    const at = n.at % (lines.length + 1);
    const line = f.line(n, at < lines.length ? prevUdev[at] : prev);
    if (line !== null) (before.get(at) ?? before.set(at, []).get(at)!).push(line);
  }
  const out: string[] = [];
  lines.forEach((l, i) => out.push(...(before.get(i) ?? []), l));
  out.push(...(before.get(lines.length) ?? []));
  return out.join("\n") + "\n";
}

function logs(): Array<{ name: string; format: LogFormat; text: string }> {
  const study = loadStudy(studyDir);
  const params = readParamsFile(path.join(studyDir, "generating-params.json"));
  const o = { scenario: studyScenario(study), policy: "base", params, seed: 9601, boots: 3 };
  return [
    { name: "logs/base.log", format: "short-precise", text: fs.readFileSync(path.join(studyDir, "logs/base.log"), "utf8") },
    { name: "logs/my.log", format: "short-precise", text: fs.readFileSync(path.join(studyDir, "logs/my.log"), "utf8") },
    { name: "base boots 1-3 as json", format: "json", text: synthesizeLog({ ...o, format: "json" }) },
    { name: "base boots 1-3 as debug", format: "debug", text: synthesizeLog({ ...o, format: "debug" }) },
  ];
}

for (const log of logs()) {
  test(`property: ${log.name} (${log.format}) with other processes' lines shuffled in measures to byte-identical CSVs`, (t) => {
    const dir = tmpDir(t);
    const reference = measureText(dir, log.text);
    assert.match(reference.measured, /^config,policy,module,boot,seconds\n(base,base,edac_synth,\d,\d+\.\d{3}\n){3,5}$/);
    fc.assert(
      fc.property(noiseArb, (noise) => {
        const noisy = withNoise(log.text, log.format, noise);
        assert.notEqual(noisy, log.text);
        assert.deepEqual(measureText(dir, noisy), reference);
      }),
      { seed, numRuns: runs },
    );
  });
}

test("the committed measured.csv comes out of a noisy log through the CLI too", (t) => {
  const dir = tmpDir(t);
  const [base] = logs();
  const noise = fc.sample(noiseArb, { seed, numRuns: 1 })[0];
  const file = path.join(dir, "base.log");
  fs.writeFileSync(file, withNoise(base.text, "short-precise", [...noise, { at: 3, udevd: false, pick: 1, time: 0, pid: 2 }]));
  const out = path.join(dir, "base.csv");
  const r = runNode("bin/modburst.js", ["measure", file, "--config", "base", "--policy", "base", "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  const committed = fs.readFileSync(path.join(studyDir, "measured.csv"), "utf8").split("\n").filter((l) => l.startsWith("base,"));
  assert.equal(fs.readFileSync(out, "utf8"), ["config,policy,module,boot,seconds", ...committed].join("\n") + "\n");
});
