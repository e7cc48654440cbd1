/**
 * modburst measure LOG... --config NAME [--policy NAME] --out FILE.csv [--events FILE.csv]
 *
 * Your own machine's udev log to the tidy measured CSV (data/measured/'s
 * columns) and the per-attempt events. Every check and all parsing happen
 * before anything is written: a bad log leaves no file behind.
 */
import { checkKeyword, UserError } from "../errors";
import { checkOutputs, isStdout, writeAll } from "../outputs";
import { eventsCsvText, measuredCsvText } from "../measure/csv";
import { readUdevLogs } from "../measure/readLogs";
import { spansOf } from "../measure/spans";
import { policyNames } from "../model/policies";
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

/** measure's options: what it parses and what `modburst measure --help` prints. */
export const measureOptions: OptionTable = {
  config: { type: "string", value: "NAME", help: "the configuration these boots ran, as your table names it (required; e.g. base, my)" },
  policy: { type: "string", value: "NAME", help: `the model's policy for that kernel, ${policyNames.join("|")} (default: the config, if it is one)` },
  out: { type: "string", value: "FILE.csv|-", help: "the measured CSV (- for stdout, with --events FILE): config,policy,module,boot,seconds (required)" },
  events: { type: "string", value: "FILE.csv", help: "every load attempt (default: FILE.events.csv beside --out)" },
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

export function measureCommand(argv: string[]): number {
  const { values, positionals, rejectRepeats } = parseCli(argv, measureOptions, { positionals: true, laterRepeats: true });
  if (positionals.length === 0) throw new UserError("invalid LOG: missing (allowed one or more udev log files: journalctl -b -u systemd-udevd -o short-precise > udev.log)");
  const config = checkName("config", values.config as string | undefined);
  const out = values.out as string | undefined;
  if (out === undefined || out === "") throw new UserError("invalid out: missing (allowed: a file path for the measured CSV, --out FILE.csv)");
  if (isStdout(out) && values.events === undefined) throw new UserError("invalid events: missing (allowed: a file path, or - with --out FILE; required with --out -)");
  const events = (values.events as string | undefined) ?? eventsPathFor(out);
  if (events === "") throw new UserError(`invalid events: "" (allowed a file path other than --out)`);
  rejectRepeats();
  const policy = measurePolicy(values.policy as string | undefined, config);
  // Before reading logs of up to 256 MB: an input, one output twice, a folder, a path under a file, a read-only place.
  checkOutputs("measure", [{ flag: "--out", path: out }, { flag: "--events", path: events }], positionals.map((p) => ({ flag: "LOG", path: p })));

  const notes: string[] = [];
  const { attempts, boots, files } = readUdevLogs(positionals, (n) => notes.push(n));
  const spans = spansOf(attempts);
  for (const n of notes) process.stderr.write(`measure: note: ${n}\n`);
  // Both or neither: a failure on either leaves both old files as they were.
  writeAll([{ path: events, data: eventsCsvText(attempts) }, { path: out, data: measuredCsvText(spans, config, policy) }]);
  const formats = [...new Set(files.map((f) => f.format))].join(", ");
  process.stderr.write(`measure: ${files.length} file${files.length === 1 ? "" : "s"} (${formats}), ${boots} boot${boots === 1 ? "" : "s"}, ${attempts.length} attempts -> ${out} (${spans.length} row${spans.length === 1 ? "" : "s"}), ${events}\n`);
  return 0;
}
