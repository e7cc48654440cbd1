/**
 * modburst measure LOG... --config NAME [--policy NAME] --out FILE.csv [--events FILE.csv]
 *   [--lenient] [--single-attempts refuse|keep|skip] [--max-input-mb N]
 *
 * Your own machine's udev log to the tidy measured CSV (data/measured/'s
 * columns) and the per-attempt events. Every check and all parsing happen
 * before anything is written, and both outputs are written as a unit
 * (outputs.ts): a bad log leaves no file behind, and no output can replace an
 * input or the other output.
 */
import { checkInteger, checkKeyword, UserError } from "../core/errors";
import { eventsCsvBytes, measuredCsvText } from "../2-measurements/journals/csv";
import { defaultMaxInputMb, readLogRun } from "../2-measurements/journals/readLogs";
import { checkSpans, SingleAttemptMode, singleAttemptModes, spansOfRun } from "../2-measurements/journals/spans";
import { policyNames } from "../1-model/policies";
import { checkOutputs, isStdout, writeAll } from "../core/outputs";
import { OptionTable, parseCli } from "./args";

/** A config or policy name goes into a CSV cell as is: no comma, quote or space. */
export function checkName(field: string, value: string | undefined): string {
  if (value === undefined || !/^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$/.test(value)) {
    throw new UserError(`invalid ${field}: ${value === undefined ? "missing" : value === "" ? '""' : value} (allowed a name of 1-64 letters, digits and . _ + -, starting with a letter or digit)`);
  }
  return value;
}

/** `out.csv` -> `out.events.csv`; a name without .csv gets `.events.csv` appended. */
export function eventsPathFor(out: string): string {
  return out.endsWith(".csv") ? `${out.slice(0, -4)}.events.csv` : `${out}.events.csv`;
}

/** The largest --max-input-mb: 64 GiB, beyond any heap node can have. */
const maxInputMbLimit = 65536;

/** measure's options: what it parses and what `modburst measure --help` prints. */
export const measureOptions: OptionTable = {
  config: { type: "string", value: "NAME", help: "the configuration these boots ran, as your table names it (required; e.g. base, my)" },
  policy: { type: "string", value: "NAME", help: `the model's policy for that kernel, ${policyNames.join("|")} (default: the config, if it is one)` },
  out: { type: "string", value: "FILE.csv", help: "the measured CSV: config,policy,module,boot,seconds (required; - for stdout)" },
  events: { type: "string", value: "FILE.csv", help: "every load attempt (default: FILE.events.csv beside --out; required with --out -)" },
  lenient: { type: "boolean", help: "skip lines that mention a module load but cannot be read, and count them in the summary (default: refuse the run)" },
  "single-attempts": { type: "string", value: "MODE", help: "a module with one attempt in a boot (a 0.000 s span): refuse|keep|skip (default refuse)" },
  "max-input-mb": { type: "string", value: "N", help: `cap on the logs' total size in MiB, checked before reading (default ${defaultMaxInputMb})` },
};

/**
 * The policy column: --policy, which must be a policy the model has, or else the
 * config name when that is one (`--config base`). A config like `mykernel` needs
 * --policy: its spans would otherwise be filed under a policy no study can map.
 */
export function measurePolicy(policy: string | undefined, config: string): string {
  if (policy !== undefined) return checkKeyword("policy", policy, policyNames);
  if ((policyNames as string[]).includes(config)) return config;
  throw new UserError(`invalid policy: missing (allowed ${policyNames.join("|")}; required with --config ${config}, which is not a policy name)`);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function measureCommand(argv: string[]): number {
  const { values, positionals, rejectRepeats } = parseCli(argv, measureOptions, { positionals: true, laterRepeats: true });
  if (positionals.length === 0) throw new UserError("invalid LOG: missing (allowed one or more udev log files: journalctl -b -u systemd-udevd -o short-precise > udev.log)");
  const config = checkName("config", values.config as string | undefined);
  const out = values.out as string | undefined;
  if (out === undefined || out === "") throw new UserError("invalid out: missing (allowed: a file path for the measured CSV, --out FILE.csv, or - for stdout)");
  const given = values.events as string | undefined;
  if (given === undefined && isStdout(out)) throw new UserError("invalid events: missing (allowed: a file path for the events CSV; required with --out -, which has no file to put it beside)");
  const events = given ?? eventsPathFor(out);
  const single = checkKeyword("single-attempts", values["single-attempts"] ?? "refuse", singleAttemptModes) as SingleAttemptMode;
  const maxInputMb = values["max-input-mb"] === undefined ? defaultMaxInputMb : checkInteger("max-input-mb", values["max-input-mb"], 1, maxInputMbLimit);
  rejectRepeats();
  const policy = measurePolicy(values.policy as string | undefined, config);
  // Before reading logs: an output that is a log or the other output (by inode), a folder, a read-only place.
  checkOutputs(
    "measure",
    [
      { flag: "--out", path: out },
      { flag: "--events", path: events },
    ],
    positionals.map((p) => ({ flag: "LOG", path: p })),
  );

  const notes: string[] = [];
  const run = readLogRun(positionals, (n) => notes.push(n), {
    lenient: values.lenient === true,
    maxInputBytes: maxInputMb * 2 ** 20,
    announce: (line) => process.stderr.write(`measure: ${line}\n`),
  });
  const alreadyLoaded = countAlreadyLoaded(run);
  const { spans, skipped } = checkSpans(spansOfRun(run), alreadyLoaded, single);
  for (const n of notes) process.stderr.write(`measure: note: ${n}\n`);
  if (run.skipped.lines > 0) process.stderr.write(`measure: --lenient skipped ${plural(run.skipped.lines, "line")} that could not be read; the first: ${run.skipped.first}\n`);
  if (skipped.rows > 0) process.stderr.write(`measure: --single-attempts skip left out ${plural(skipped.rows, "module-boot")} with one attempt; the first: ${skipped.first}\n`);
  writeAll([
    { path: events, data: eventsCsvBytes(run) },
    { path: out, data: measuredCsvText(spans, config, policy) },
  ]);
  const formats = [...new Set(run.files.map((f) => f.format))].join(", ");
  const shown = (p: string) => (isStdout(p) ? "stdout" : p);
  process.stderr.write(`measure: ${plural(run.files.length, "file")} (${formats}), ${plural(run.boots.length, "boot")}, ${run.store.length} attempts -> ${shown(out)} (${plural(spans.length, "row")}), ${shown(events)}\n`);
  return 0;
}

function countAlreadyLoaded(run: ReturnType<typeof readLogRun>): number {
  let n = 0;
  for (let i = 0; i < run.store.length; i++) if (run.store.outcome(i) === "already-loaded") n++;
  return n;
}
