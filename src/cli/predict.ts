/**
 * modburst predict [--policy P] [--cpus N] [--scenario NAME|FILE.json] [--init-latency-ms X] [--json]
 *
 * The quick answer to "what would my machine see": the expected span of each
 * module under one policy, with the 90% interval across the seed calibration's
 * structural variants x bootstrap refits, and which variant and refit gave each
 * end. Reads the cached record when it exists (src/3-experiments/records/pointPrediction.ts).
 */
import { refitParams } from "../3-experiments/calibrate/calibration";
import { studyCalibration } from "../4-studies/calibration";
import { checkInteger, checkKeyword, checkNumber } from "../core/errors";
import { maxCpus, maxInitLatencyMs } from "../1-model/limits";
import { policyNames } from "../1-model/policies";
import { withCpus, withInit } from "../1-model/scenario";
import { resolveScenario, scenarios } from "../1-model/scenarios";
import { paths } from "../core/paths";
import { PointPrediction, pointPredictions } from "../3-experiments/records/pointPrediction";
import { intervalName, predictionDesign } from "../3-experiments/records/uncertainty";
import { formatTextTable } from "../5-views/tables/format";
import { OptionTable, parseCli } from "./args";
import { enforceBudget, parseMaxHours } from "./budget";
import { defaultThreads } from "../3-experiments/parallel/pool";
import { estimateSimulate } from "./simulate";
import { writeStdout } from "../core/outputs";

export const predictOptions: OptionTable = {
  policy: { type: "string", value: "NAME", help: `the policy (${policyNames.join("|")}; default base)` },
  cpus: { type: "string", value: "N", help: `the machine's CPU count, 1..${maxCpus} (default: the scenario's)` },
  scenario: { type: "string", value: "NAME|FILE.json", help: `${Object.keys(scenarios).join("|")}, or a scenario file (default seed)` },
  "init-latency-ms": { type: "string", value: "X", help: `every module's init time, ms 0..${maxInitLatencyMs} (default: the scenario's)` },
  json: { type: "boolean", help: "one JSON document instead of a table" },
  "max-hours": { type: "string", value: "H", help: "refuse a prediction estimated over H hours, before it starts (default 1)" },
};

export async function predictCommand(argv: string[]): Promise<number> {
  const { values, rejectRepeats } = parseCli(argv, predictOptions, { laterRepeats: true });
  const policy = checkKeyword("policy", values.policy ?? "base", policyNames);
  const scenarioArg = (values.scenario as string | undefined) ?? "seed";
  let scenario = resolveScenario(scenarioArg);
  if (values.cpus !== undefined) scenario = withCpus(scenario, checkInteger("cpus", values.cpus, 1, maxCpus));
  if (values["init-latency-ms"] !== undefined) scenario = withInit(scenario, { initLatencyMs: checkNumber("init-latency-ms", values["init-latency-ms"], 0, maxInitLatencyMs) });
  const maxHours = parseMaxHours(values["max-hours"]);
  rejectRepeats();
  const cal = studyCalibration(paths.seedStudy);
  const boots = predictionDesign.boots + refitParams(cal).length * predictionDesign.bootsPerRefit;
  enforceBudget(`predict: ${boots} boots of ${policy} at ${scenario.cpus} CPUs`, estimateSimulate([policy], scenario, cal.params, predictionDesign.seed, boots, defaultThreads()), { maxHours }, { time: "fewer CPUs", memory: "fewer CPUs" });
  const ps = await pointPredictions(cal, scenario, policy);
  if (values.json) {
    writeStdout(JSON.stringify({ policy, scenario: scenario.name, cpus: scenario.cpus, calibration: "data/studies/pavlu-2022-10-15/calibration.json", predictions: ps }, null, 2) + "\n");
  } else {
    writeStdout(formatPrediction(ps, policy, scenario.name, scenario.cpus) + "\n");
  }
  return 0;
}

const s = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** The table predict prints, and the lines saying where each end came from. */
export function formatPrediction(ps: PointPrediction[], policy: string, scenario: string, cpus: number): string {
  const p0 = ps[0];
  const variants = p0.variants.map((v) => `${v.name} (${v.refits})`).join(", ");
  const head = [
    `predict: ${policy} on ${scenario} at ${cpus} CPUs: expected span per module, ${intervalName(p0.widenFactor)} across ${p0.variants.length} structural variant(s) x refits`,
    `variants (refits each): ${variants}; calibration: data/studies/pavlu-2022-10-15/calibration.json and its variants/`,
  ];
  const rows = ps.map((p) => [p.module, s(p.centralSeconds), `${s(p.p5Seconds)}-${s(p.p95Seconds)}`, `${s(p.bootP5Seconds)}-${s(p.bootP95Seconds)}`, `${p.low.variant} #${p.low.refit}`, `${p.high.variant} #${p.high.refit}`]);
  const table = formatTextTable({ columns: ["module", "expected s", "90% interval s", "boot-to-boot 5-95% s", "low end from", "high end from"], rows });
  const byVariant = ps.map((p) => `${p.module}: ${p.variants.map((v) => `${v.name} ${s(v.minSeconds)}-${s(v.maxSeconds)} s`).join("; ")}`);
  return [...head, "", table, "", "each variant's refits span:", ...byVariant].join("\n");
}
