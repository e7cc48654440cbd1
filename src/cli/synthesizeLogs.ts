/**
 * modburst synthesize-logs --scenario NAME|FILE.json --policy NAME --boots N --seed S
 *   [--params FILE] [--format short-precise|json|debug] --out FILE.log
 *
 * A SYNTHETIC udev log: the model's simulated boots written as udevd would have
 * logged them, several boots in one journal (`-- Boot <id> --` between them in
 * short-precise). Every flag is checked and --out probed before any boot runs;
 * the log is streamed a boot at a time into a temp file renamed into place at
 * the end (src/core/outputs.ts), so it is written whole or not at all.
 */
import { checkInteger, checkKeyword, UserError } from "../core/errors";
import { logFormats } from "../2-measurements/journals/readLogs";
import { synthesizeLogChunks } from "../2-measurements/journals/synthesize";
import { checkOutputs, inputsOf, isStdout, StreamedOutput } from "../core/outputs";
import { policyNames } from "../1-model/policies";
import { resolveScenario } from "../1-model/scenarios";
import { OptionTable, parseCli } from "./args";
import { loadParams } from "./simulate";

/** A log of this many boots is already far more than measure or a study needs. */
export const maxSynthesizedBoots = 1000;

/** synthesize-logs' options: what it parses and what `modburst synthesize-logs --help` prints. */
export const synthesizeLogsOptions: OptionTable = {
  scenario: { type: "string", value: "NAME|FILE.json", help: "the scenario to boot (required)" },
  policy: { type: "string", value: "NAME", help: `the policy the kernel runs, ${policyNames.join("|")} (required)` },
  boots: { type: "string", value: "N", help: `boots in the log, 1..${maxSynthesizedBoots} (required)` },
  seed: { type: "string", value: "S", help: "the seed of the simulated boots (required)" },
  params: { type: "string", value: "FILE", help: "parameter values, or a calibration record (default the seed study's calibration)" },
  format: { type: "string", value: logFormats.join("|"), help: "the log's format (default short-precise)" },
  out: { type: "string", value: "FILE.log|-", help: "the log to write (required; - for stdout), whole or not at all" },
};

export function synthesizeLogsCommand(argv: string[]): number {
  const { values, rejectRepeats } = parseCli(argv, synthesizeLogsOptions, { laterRepeats: true });
  const required = (name: string, allowed: string): string => {
    const v = values[name] as string | undefined;
    if (v === undefined || v === "") throw new UserError(`invalid ${name}: ${v === "" ? '""' : "missing"} (allowed ${allowed})`);
    return v;
  };
  const scenarioArg = required("scenario", "a scenario name or a path to a scenario .json file");
  const policy = checkKeyword("policy", required("policy", policyNames.join("|")), policyNames);
  const boots = checkInteger("boots", required("boots", `integer 1..${maxSynthesizedBoots}`), 1, maxSynthesizedBoots);
  const seed = checkInteger("seed", required("seed", "integer 0..4294967295"), 0, 2 ** 32 - 1);
  const format = checkKeyword("format", values.format ?? "short-precise", logFormats);
  const out = required("out", "a file path for the log, --out FILE.log");
  rejectRepeats();
  const scenario = resolveScenario(scenarioArg);
  const { params, source } = loadParams(values.params as string | undefined);
  // Before simulating: an input, a folder, a path under a file, a read-only place.
  checkOutputs("synthesize-logs", [{ flag: "--out", path: out }], inputsOf({ "--params": values.params, "--scenario": scenarioArg.includes("/") || scenarioArg.endsWith(".json") ? scenarioArg : undefined }));
  // A boot at a time, straight to the temp file (or stdout): the log's length never has to fit in memory.
  const file = new StreamedOutput(out);
  try {
    for (const chunk of synthesizeLogChunks({ scenario, policy, params, seed, boots, format })) file.write(chunk);
    file.commit();
  } catch (err) {
    file.abort();
    throw err;
  }
  process.stderr.write(`synthesize-logs: SYNTHETIC ${format} log of ${boots} boot${boots === 1 ? "" : "s"} (scenario ${scenario.name}, policy ${policy}, seed ${seed}, params: ${source}) -> ${isStdout(out) ? "stdout" : out}\n`);
  return 0;
}
