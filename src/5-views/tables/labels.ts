/**
 * Display labels of table fields, applied when a table is shown: rows keep
 * typed field names (measuredMeanSeconds) that code and tests read, and readers
 * see the units in the header ("measured mean s"). A field without a label is
 * shown under its own name.
 */
import { externalTolerance } from "../../3-experiments/records/external";

export const columnLabels: Record<string, string> = {
  bootToBootSeconds: "boot-to-boot 5-95% s",
  bootstrapMedian: "bootstrap median",
  bootstrapP5: "bootstrap 5%",
  bootstrapP95: "bootstrap 95%",
  ciHiSeconds: "95% CI hi s",
  ciLoSeconds: "95% CI lo s",
  differenceSeconds: "difference s",
  errorPct: "error %",
  expectedSpanSeconds: "expected span s",
  exponent: "exponent k",
  fittedParamsSeconds: "fitted parameters s",
  fullLoads: "full loads",
  gracePeriodsMs: "grace periods ms",
  hedgesG: "Hedges g",
  herdRechecksMs: "herd re-checks ms",
  interval90: "90% interval",
  interval90Seconds: "90% interval s",
  meanCheck: "mean check",
  meanSeconds: "mean s",
  measuredCi: "measured 95% CI",
  measuredMeanPercentile: "percentile of measured mean",
  measuredMeanSeconds: "measured mean s",
  measuredSdPercentile: "percentile of measured sd",
  measuredSdSeconds: "measured sd s",
  medianFullLoads: "full loads (median)",
  medianHerdWakeups: "herd wake-ups (median)",
  medianPeakVmallocMiB: "peak vmalloc MiB (median)",
  medianSeconds: "median s",
  modelNoisePct: "model noise %",
  modelQuantity: "model quantity",
  mutexWaitMs: "mutex wait ms",
  otherKernelMs: "other kernel work ms",
  p5Seconds: "p5 s",
  p95PeakVmallocMiB: "peak vmalloc MiB (p95)",
  p95Seconds: "p95 s",
  permutationP: "permutation p",
  predictedSeconds: "predicted s",
  prefactorSeconds: "C (s)",
  r2: "r^2",
  ratio: "span ratio",
  relativeWidth: "(95%-5%) / fitted",
  reportedSeconds: "reported s",
  sdCheck: "sd check",
  sdRatio: "sd ratio",
  sdSeconds: "sd s",
  simulatedFiveBootMeans: "simulated tables",
  simulatedMeanSeconds: "simulated mean s",
  simulatedP5P95Seconds: "simulated 5-95% s",
  simulatedSdSeconds: "simulated sd s",
  spanPerLoadMs: "span per full load ms",
  welchDf: "Welch df",
  welchP: "Welch p",
  welchT: "Welch t",
  withinAim: `within ${externalTolerance.belowPct}%..+${externalTolerance.abovePct}%`,
};

export function columnLabel(field: string): string {
  return Object.prototype.hasOwnProperty.call(columnLabels, field) ? columnLabels[field] : field;
}
