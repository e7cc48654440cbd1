/**
 * The commit-message pack (notebook 04 and `npm run figures` run this same
 * function): the key figures of notebooks 01-03 exported as SVG, PNG and HTML,
 * figures/commit-message.txt and figures/provenance.json, every number computed
 * here from the measured data and the calibrated model. The folder is replaced
 * as a whole (packFiles.ts).
 */
import * as path from "path";
import { paths } from "../core/paths";
import { refitParams, refitVariants } from "../3-experiments/calibrate/calibration";
import { ExportedFile, exportFormats, NamedFigure } from "../5-views/figures/exporter";
import { timelineFigure, timelineTitle } from "../5-views/figures/distributions";
import { measuredVsSimulatedFigure } from "../5-views/figures/reproduce";
import { ratioHeatmapFigure } from "../5-views/figures/sensitivity";
import { figureTitle } from "../5-views/figures/spec";
import { predictionVsCpusFigure } from "../5-views/figures/uncertainty";
import { checkWritableDir } from "../core/fsutil";
import { modelCodeVersion } from "../core/codeVersion";
import { policyNames } from "../1-model/policies";
import { mean } from "../core/stats/describe";
import { cpuPredictions, externalComparisons, Progress, seedTableBoots, sweep, timelineBoot } from "../3-experiments/records/experiments";
import { StudyInputs, studyInputs } from "../4-studies/notebookRecords";
import { configOfPolicy, loadStudy, seedStudyName, Study } from "../4-studies/study";
import { studyCaption } from "../6-notebooks/studyText";
import type { Scenario } from "../1-model/scenario";
import { compareWithMeasured } from "../3-experiments/records/seedTable";
import { scaleMarkers } from "../3-experiments/records/scaleMarkers";
import { CacheEvent, cacheListeners } from "../3-experiments/records/cache";
import { median } from "mathjs";
import { bands } from "../3-experiments/sweep/aggregate";
import { paramsHash } from "../3-experiments/sweep/provenance";
import { versions } from "../core/versions";
import { CommitNumbers, formatCommitMessage, Interval } from "./commitMessage";
import { PackSources } from "./manifest";
import { checkPackFolder, commitMessageFile, writePack } from "./packFiles";

export { commitMessageFile };
export { manifestFile } from "./manifest";
export const largerCpus = 1024;

export interface CommitPack {
  text: string;
  numbers: CommitNumbers;
  figures: NamedFigure[];
  files: ExportedFile[];
  textFile: string;
  manifestFile: string;
}

export interface PackOptions extends Progress {
  /** The study (a name, a folder, or loaded); default the seed study. */
  study?: Study | string;
  /** Default: the study's figures folder (the seed's: figures/). */
  outDir?: string;
  log?: (line: string) => void;
}

/**
 * A pure report: every number and figure comes from the records of notebooks
 * 01-03 (computed here only when the cache lacks them, e.g. on a clean clone).
 */
export async function buildCommitPack(o: PackOptions = {}): Promise<CommitPack> {
  const study = typeof o.study === "object" ? o.study : loadStudy(o.study ?? seedStudyName);
  const outDir = o.outDir ?? study.out.figures;
  // Fail before minutes of simulation, not after.
  checkWritableDir(outDir);
  checkPackFolder(outDir);
  const log = o.log ?? (() => undefined);
  // Every record asked for below, in order, read or computed, up to the export (whose cached renderings are not
  // model records): the manifest names exactly what the pack was built from.
  const used: PackSources["records"] = [];
  const listen = (e: CacheEvent) => used.push({ experiment: e.experiment, key: e.key });
  cacheListeners.add(listen);
  try {
    return await buildPack(studyInputs(study), outDir, log, used, o);
  } finally {
    cacheListeners.delete(listen);
  }
}

/** "every load fails (-EEXIST)" when every module fails with one errno; else what each module's init does. */
export function outcomeOf(sc: Scenario): string {
  const ms = Object.values(sc.modules);
  if (ms.every((m) => m.initResult === "fail" && m.initErrno === ms[0].initErrno)) return `every load fails (-${ms[0].initErrno})`;
  if (ms.every((m) => m.initResult === "success")) return "every init succeeds";
  return Object.entries(sc.modules).map(([name, m]) => `${name} ${m.initResult === "fail" ? `fails (-${m.initErrno})` : "succeeds"}`).join(", ");
}

async function buildPack(inputs: StudyInputs, outDir: string, log: (line: string) => void, used: PackSources["records"], o: Progress): Promise<CommitPack> {
  const { cal, scenario, study, module } = inputs;
  const measured = inputs.cells;
  const progress: Progress = { threads: o.threads, onProgress: o.onProgress };

  log(`pack: the ${study.isSeed ? "seed" : "study"}'s table, measured and simulated`);
  const runs = await seedTableBoots(cal, scenario, progress);
  const comparison = compareWithMeasured(measured, runs);
  const fullLoads: Record<string, number> = {};
  const peakVmallocMiB: Record<string, number> = {};
  for (const p of policyNames) {
    fullLoads[p] = median(runs[p].map((r) => Object.values(r.modules).reduce((a, m) => a + m.fullLoads, 0))) as number;
    peakVmallocMiB[p] = mean(runs[p].map((r) => r.peakVmallocBytes / 1048576));
  }

  log("pack: predictions under the calibration's bootstrap refits, and the external measurements");
  const preds = await cpuPredictions(cal, scenario, progress);
  const external = inputs.measurements ? await externalComparisons(cal, inputs.measurements, progress) : [];
  const spanAt = (policy: string, cpus: number): Interval => {
    const p = preds.find((x) => x.policy === policy && x.module === module && x.cpus === cpus)!;
    return { mean: p.centralSeconds, p5: p.p5Seconds, p95: p.p95Seconds };
  };
  const modules = [...new Set(measured.map((c) => c.module))];
  // Each side of the comparison: the configuration measured under the policy, else the model's boots of it.
  const side = (policy: string) => {
    const config = configOfPolicy(study, policy);
    if (config !== undefined) {
      return { means: Object.fromEntries(measured.filter((x) => x.config === config).map((x) => [x.module, mean(x.seconds)])), source: "measured" as const };
    }
    return { means: Object.fromEntries(modules.map((m) => [m, mean(runs[policy].map((r) => r.modules[m].spanSeconds))])), source: "model" as const };
  };

  log("pack: base/merge ratio sweep and the timeline boots");
  const ratioBands = bands(await sweep("sensitivity-ratio", cal.params, scenario, progress));
  const figures: NamedFigure[] = [
    { name: "measured-vs-simulated", figure: measuredVsSimulatedFigure(comparison, studyCaption(study)) },
    { name: "timeline-base", figure: timelineFigure(await timelineBoot(cal.params, scenario, "base"), timelineTitle(study, "base", true)) },
    { name: "timeline-merge", figure: timelineFigure(await timelineBoot(cal.params, scenario, "merge"), timelineTitle(study, "merge", false)) },
    { name: "span-vs-cpus", figure: predictionVsCpusFigure(preds, module, external, scaleMarkers(scenario, preds)) },
    { name: "base-merge-ratio", figure: ratioHeatmapFigure(ratioBands, "base", "merge", module) },
  ];

  const numbers: CommitNumbers = {
    subject: study.patch,
    cpus: cal.design.cpus,
    requests: Object.fromEntries(Object.entries(runs[policyNames[0]][0].modules).map(([m, s]) => [m, s.attempts])),
    modules,
    module,
    outcome: outcomeOf(scenario),
    before: side("base"),
    after: side("merge"),
    measuredCells: measured.map((c) => ({ config: c.config, module: c.module, seconds: c.seconds })),
    simulatedCells: comparison.map((c) => ({ config: c.config, module: c.module, seconds: c.simulated })),
    seed: cal.design.seed,
    fullLoads,
    predictedSpan: Object.fromEntries(["no-wait-going", "idempotent"].map((p) => [p, spanAt(p, cal.design.cpus)])),
    peakVmallocMiB,
    largerCpus,
    largerSpan: { base: spanAt("base", largerCpus), merge: spanAt("merge", largerCpus) },
    unseen: { seed: cal.unseen.seed, maxAbsErrorPct: cal.unseen.maxAbsErrorPct, refits: refitParams(cal).length, variants: [...new Set(refitVariants(cal))] },
    fit: cal.verdict,
    external: external.map((e) => ({ cpus: e.cpus, policy: e.policy, module: e.module, reported: e.reportedSeconds, predicted: e.predictedSeconds, errorPct: e.errorPct })),
    figures: figures.map((f) => ({ name: f.name, title: figureTitle(f.figure), formats: [...exportFormats] })),
    version: versions().modburst,
    ...(study.isSeed ? {} : { study: { name: study.name, title: study.title, synthetic: study.synthetic, figuresDir: path.relative(paths.root, outDir) || "." } }),
  };
  const text = formatCommitMessage(numbers);

  const sources: PackSources = { modburst: versions().modburst, modelCode: modelCodeVersion(), params: paramsHash(cal.params), records: [...used] };

  log(`pack: exporting ${figures.length} figures x ${exportFormats.length} formats to ${outDir}`);
  const written = await writePack(outDir, figures, text, sources);
  return { text, numbers, figures, ...written };
}
