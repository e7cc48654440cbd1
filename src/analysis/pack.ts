/**
 * The commit-message pack (notebook 04 and `npm run figures` run this same
 * function): the key figures of notebooks 01-03 exported as SVG, PNG and HTML,
 * and figures/commit-message.txt, every number computed here from the measured
 * data and the calibrated model.
 */
import * as path from "path";
import { readCalibration, refitParams } from "../calibrate/calibration";
import { cellsOf, readMeasured } from "../data/measured";
import { exportFigures, ExportedFile, exportFormats, NamedFigure } from "../export/exporter";
import { timelineFigure } from "../figures/distributions";
import { ratioHeatmapFigure } from "../figures/sensitivity";
import { predictionVsCpusFigure } from "../figures/uncertainty";
import { readExternalMeasurements } from "../data/external";
import { figureTitle } from "../figures/spec";
import { writeFileAtomic } from "../fsutil";
import { simulateBoot } from "../model/boot";
import { policyNames } from "../model/policies";
import { meanOf } from "../model/run";
import { seedScenario } from "../model/scenarios";
import { bootJobs, PoolOptions, runBoots } from "../parallel/pool";
import { paths } from "../paths";
import { median } from "mathjs";
import { bands } from "../sweep/aggregate";
import { runSweep } from "../sweep/run";
import { versions } from "../versions";
import { CommitNumbers, formatCommitMessage, Interval } from "./commitMessage";
import { compareExternal } from "./external";
import { predict, predictionDesign, predictionRequests } from "./uncertainty";
import { CellComparison, measuredVsSimulatedFigure, tableBoots } from "./reproduce";
import { ratioSweepGrid } from "./sensitivity";

export const commitMessageFile = "commit-message.txt";
export const largerCpus = 1024;

export interface CommitPack {
  text: string;
  numbers: CommitNumbers;
  figures: NamedFigure[];
  files: ExportedFile[];
  textFile: string;
}

export interface PackOptions extends PoolOptions {
  outDir?: string;
  log?: (line: string) => void;
}

export async function buildCommitPack(o: PackOptions = {}): Promise<CommitPack> {
  const outDir = o.outDir ?? paths.figures;
  const log = o.log ?? (() => undefined);
  const measured = cellsOf(readMeasured());
  const cal = readCalibration();
  const params = cal.params;
  const seeds = { cpus: cal.design.cpus, seed: cal.design.seed, boots: tableBoots };
  const pool = { threads: o.threads };

  log("pack: the seed's table, measured and simulated");
  const scenario = seedScenario(seeds.cpus);
  // The calibration's boots of every policy; the seed's three give the simulated table.
  const runs = await runBoots(bootJobs(policyNames, scenario, params, seeds.seed, seeds.boots), pool);
  const byPolicy = (p: string) => runs.filter((r) => r.policy === p);
  const comparison: CellComparison[] = measured.map((c) => ({
    config: c.config,
    policy: c.policy,
    module: c.module,
    measured: c.seconds,
    simulated: byPolicy(c.policy).map((r) => r.modules[c.module].spanSeconds),
  }));
  const fullLoads: Record<string, number> = {};
  const peakVmallocMiB: Record<string, number> = {};
  for (const p of policyNames) {
    const rs = byPolicy(p);
    fullLoads[p] = median(rs.map((r) => Object.values(r.modules).reduce((a, m) => a + m.fullLoads, 0))) as number;
    peakVmallocMiB[p] = meanOf(rs.map((r) => r.peakVmallocBytes / 1048576));
  }

  log("pack: predictions under the calibration's bootstrap refits, and the external measurements");
  const refits = refitParams(cal);
  const preds = await predict(predictionRequests((cpus) => seedScenario(cpus)), params, refits, predictionDesign, { ...pool, onProgress: o.onProgress });
  const external = await compareExternal(readExternalMeasurements(), params, refits, predictionDesign, pool);
  const acpiAt = (policy: string, cpus: number): Interval => {
    const p = preds.find((x) => x.policy === policy && x.module === "acpi_cpufreq" && x.cpus === cpus)!;
    return { mean: p.centralSeconds, p5: p.p5Seconds, p95: p.p95Seconds };
  };

  log("pack: base/merge ratio sweep");
  const ratioBands = bands(await runSweep(ratioSweepGrid, params, pool));

  const timeline = (policy: string) => simulateBoot({ policy, scenario, params, seed: 2, boot: 1, log: true });
  const figures: NamedFigure[] = [
    { name: "measured-vs-simulated", figure: measuredVsSimulatedFigure(comparison) },
    { name: "timeline-base", figure: timelineFigure(timeline("base"), "One boot under base (6.0-rc3): failing loads serialised") },
    { name: "timeline-merge", figure: timelineFigure(timeline("merge"), "The same boot under merge (the seed's patch)") },
    { name: "span-vs-cpus", figure: predictionVsCpusFigure(preds, "acpi_cpufreq", external) },
    { name: "base-merge-ratio", figure: ratioHeatmapFigure(ratioBands, "base", "merge", "acpi_cpufreq") },
  ];

  const numbers: CommitNumbers = {
    cpus: seeds.cpus,
    requests: Object.fromEntries(Object.entries(runs[0].modules).map(([m, s]) => [m, s.attempts])),
    measuredMean: Object.fromEntries(
      ["base", "revert", "my"].map((c) => [c, Object.fromEntries(measured.filter((x) => x.config === c).map((x) => [x.module, meanOf(x.seconds)]))]),
    ),
    measuredCells: measured.map((c) => ({ config: c.config, module: c.module, seconds: c.seconds })),
    simulatedCells: comparison.map((c) => ({ config: c.config, module: c.module, seconds: c.simulated })),
    seed: seeds.seed,
    fullLoads,
    predictedAcpiSpan: Object.fromEntries(["no-wait-going", "idempotent"].map((p) => [p, acpiAt(p, seeds.cpus)])),
    peakVmallocMiB,
    largerCpus,
    largerSpan: { base: acpiAt("base", largerCpus), merge: acpiAt("merge", largerCpus) },
    unseen: { seed: cal.unseen.seed, maxAbsErrorPct: cal.unseen.maxAbsErrorPct, refits: refits.length },
    external: external.map((e) => ({ cpus: e.cpus, policy: e.policy, module: e.module, reported: e.reportedSeconds, predicted: e.predictedSeconds, errorPct: e.errorPct })),
    figures: figures.map((f) => ({ name: f.name, title: figureTitle(f.figure), formats: [...exportFormats] })),
    version: versions().modburst,
  };
  const text = formatCommitMessage(numbers);

  log(`pack: exporting ${figures.length} figures x ${exportFormats.length} formats to ${outDir}`);
  const files = await exportFigures(figures, outDir);
  const textFile = path.join(outDir, commitMessageFile);
  writeFileAtomic(textFile, text);
  return { text, numbers, figures, files, textFile };
}
