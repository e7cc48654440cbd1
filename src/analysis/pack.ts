/**
 * The commit-message pack (notebook 04 and `npm run figures` run this same
 * function): the key figures of notebooks 01-03 exported as SVG, PNG and HTML,
 * and figures/commit-message.txt, every number computed here from the measured
 * data and the calibrated model.
 */
import * as path from "path";
import { readCalibration } from "../calibrate/calibration";
import { cellsOf, readMeasured } from "../data/measured";
import { exportFigures, ExportedFile, exportFormats, NamedFigure } from "../export/exporter";
import { timelineFigure } from "../figures/distributions";
import { ratioHeatmapFigure, spanVsCpusFigure } from "../figures/sensitivity";
import { figureTitle } from "../figures/spec";
import { writeFileAtomic } from "../fsutil";
import { simulateBoot } from "../model/boot";
import { policyNames } from "../model/policies";
import { meanOf } from "../model/run";
import { seedScenario } from "../model/scenario";
import { bootJobs, PoolOptions, runBoots } from "../parallel/pool";
import { paths } from "../paths";
import { median } from "mathjs";
import { bands, scalingFits } from "../sweep/aggregate";
import { runSweep } from "../sweep/run";
import { versions } from "../versions";
import { CommitNumbers, formatCommitMessage } from "./commitMessage";
import { CellComparison, measuredVsSimulatedFigure } from "./reproduce";
import { cpuSweepGrid, ratioSweepGrid } from "./sensitivity";

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
  const seeds = { cpus: cal.seeds.cpus, seed: cal.seeds.seed, boots: cal.seeds.boots.length };
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
  const simulatedAcpiSpan: Record<string, number> = {};
  const peakVmallocMiB: Record<string, number> = {};
  for (const p of policyNames) {
    const rs = byPolicy(p);
    fullLoads[p] = median(rs.map((r) => Object.values(r.modules).reduce((a, m) => a + m.fullLoads, 0))) as number;
    simulatedAcpiSpan[p] = meanOf(rs.map((r) => r.modules.acpi_cpufreq.spanSeconds));
    peakVmallocMiB[p] = meanOf(rs.map((r) => r.peakVmallocBytes / 1048576));
  }

  log(`pack: ${largerCpus} CPUs`);
  const larger = await runBoots(bootJobs(["base", "merge"], seedScenario(largerCpus), params, seeds.seed, seeds.boots), pool);
  const largerSpan: Record<string, number> = {};
  for (const p of ["base", "merge"]) largerSpan[p] = meanOf(larger.filter((r) => r.policy === p).map((r) => r.modules.acpi_cpufreq.spanSeconds));

  log("pack: sensitivity sweeps");
  const cpuBands = bands(await runSweep(cpuSweepGrid, params, { ...pool, onProgress: o.onProgress }));
  const ratioBands = bands(await runSweep(ratioSweepGrid, params, pool));

  const timeline = (policy: string) => simulateBoot({ policy, scenario, params, seed: 2, boot: 1, log: true });
  const figures: NamedFigure[] = [
    { name: "measured-vs-simulated", figure: measuredVsSimulatedFigure(comparison) },
    { name: "timeline-base", figure: timelineFigure(timeline("base"), "One boot under base (6.0-rc3): failing loads serialised") },
    { name: "timeline-merge", figure: timelineFigure(timeline("merge"), "The same boot under merge (the seed's patch)") },
    { name: "span-vs-cpus", figure: spanVsCpusFigure(cpuBands, "acpi_cpufreq", scalingFits(cpuBands, "acpi_cpufreq", 0)) },
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
    simulatedAcpiSpan,
    peakVmallocMiB,
    largerCpus,
    largerSpan,
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
