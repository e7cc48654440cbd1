/**
 * The commit-message pack's text: plain ASCII, at most 72 columns (git's
 * convention for commit bodies), every number passed in from the data or the
 * model, none typed here.
 */
import { formatSeedLayout, LayoutCell } from "../5-views/tables/seedLayout";
import type { FitVerdict } from "../3-experiments/calibrate/verdict";
import { intervalText } from "../3-experiments/records/uncertainty";
import { fitQualityOf } from "./verdict";

export const maxColumns = 72;

/** A prediction: the fitted parameters' mean and the 90% interval over bootstrap refits. */
export interface Interval {
  mean: number;
  p5: number;
  p95: number;
}

/** The mean and its interval, with more decimals when `digits` would print a narrow interval as "a-a"; a flagged fit's is named widened. */
const ci = (x: Interval, digits: number, widenFactor = 1) => {
  let d = digits;
  while (d < 3 && x.p5 !== x.p95 && x.p5.toFixed(d) === x.p95.toFixed(d)) d++;
  return `${x.mean.toFixed(d)} s (${intervalText(x.p5.toFixed(d), x.p95.toFixed(d), widenFactor)})`;
};

/** Mean span per module of one side of the comparison, measured or (where the study measured no such configuration) the model's. */
export interface SideMeans {
  means: Record<string, number>;
  source: "measured" | "model";
}

export interface CommitNumbers {
  /** The subject line: the study's patch (study.json `patch`). */
  subject: string;
  /** A study other than the seed's: named at the top, SYNTHETIC said first when it is, figures under its folder. */
  study?: { name: string; title: string; synthetic: boolean; figuresDir: string };
  cpus: number;
  requests: Record<string, number>;
  /** The measured modules, in table order (the seed's: pcc_cpufreq, acpi_cpufreq). */
  modules: string[];
  /** The module of the predictions quoted (the seed's acpi_cpufreq). */
  module: string;
  /** What every load's init does, e.g. "every load fails (-EEXIST)". */
  outcome: string;
  /** Mean spans without the patch (the configuration measured under base) and with it (under merge). */
  before: SideMeans;
  after: SideMeans;
  measuredCells: LayoutCell[];
  simulatedCells: LayoutCell[];
  seed: number;
  /** Median over the simulated boots, both modules together. */
  fullLoads: Record<string, number>;
  /** Mean peak vmalloc of in-flight loads per policy (MiB). */
  peakVmallocMiB: Record<string, number>;
  /** Expected span of `module` with its 90% interval over the bootstrap refits, at the study's CPU count. */
  predictedSpan: Record<string, Interval>;
  largerCpus: number;
  largerSpan: Record<string, Interval>;
  /** The fit on boots it never saw. */
  /** `variants`: the structural variants the intervals span (one name: the reference alone). */
  unseen: { seed: number; maxAbsErrorPct: number; refits: number; variants: string[] };
  /** The calibration's verdict: its fit-quality sentence ends the first paragraph, and a flagged fit's intervals are widened. */
  fit: FitVerdict;
  external: Array<{ cpus: number; policy: string; module: string; reported: number; predicted: number; errorPct: number }>;
  figures: Array<{ name: string; title: string; formats: string[] }>;
  version: string;
}

/** Greedy word wrap to `width` columns. */
export function wrap(text: string, width = maxColumns): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join("\n");
}

const s1 = (x: number) => x.toFixed(1);

/** "a, b and c" */
const listed = (xs: string[]) => (xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`);
const short = (module: string) => module.replace(/_cpufreq$/, "");

/** "45.0 s / 45.2 s (pcc/acpi)" for two modules (named the first time), "45.0 s" for one; "(model)" when nothing was measured. */
function sideText(side: SideMeans, modules: string[], named: boolean): string {
  const values = modules.map((m) => `${s1(side.means[m])} s`).join(" / ");
  const names = named && modules.length > 1 ? ` (${modules.map(short).join("/")})` : "";
  return `${values}${names}${side.source === "model" ? " (model)" : ""}`;
}

/** "random seed 1, the same 5 boots per configuration", and how many were measured when that differs. */
function simulatedBootsText(n: CommitNumbers): string {
  const simulated = Math.max(...n.simulatedCells.map((c) => c.seconds.length));
  const measured = Math.max(...n.measuredCells.map((c) => c.seconds.length));
  return `random seed ${n.seed}, the same ${simulated} boots for every configuration${simulated === measured ? "" : `; the measured table has ${measured}`}`;
}

/** The 3-6 line case for the patch, from the numbers. */
export function justificationOf(n: CommitNumbers): string {
  const total = Object.values(n.requests).reduce((a, b) => a + b, 0);
  return wrap(
    `On a ${n.cpus}-CPU machine udev asks for ${listed(n.modules.map((m) => `${m} ${n.requests[m]} times`))} ` +
      `at boot; ${n.outcome}. 6.0-rc3 runs all ${total} loads ` +
      `one after another: ${sideText(n.before, n.modules, true)}. With this patch ` +
      `duplicates wait for the running load: ${sideText(n.after, n.modules, false)}, ` +
      `${n.fullLoads.merge} full loads instead of ${n.fullLoads.base} (model). At ${n.largerCpus} CPUs (model): ` +
      `${ci(n.largerSpan.base, 0, n.fit.widenFactor)} on 6.0-rc3, ${s1(n.largerSpan.merge.mean)} s (${s1(n.largerSpan.merge.p5)}-${s1(n.largerSpan.merge.p95)}) with it.`,
  );
}

export function formatCommitMessage(n: CommitNumbers): string {
  // The fit's quality ends the first paragraph: the study's line for a study, else the justification.
  const quality = fitQualityOf(n.fit);
  const justification = n.study ? justificationOf(n) : wrap(`${justificationOf(n).replace(/\n/g, " ")} ${quality}`);
  const figureLines = n.figures.flatMap((f) => [`  ${f.name}.{${f.formats.join(",")}}`, wrap(f.title, maxColumns - 4).replace(/^/gm, "    ")]);
  const studyLines = !n.study
    ? []
    : [
        wrap(
          (n.study.synthetic
            ? `SYNTHETIC: ${n.study.title.replace(/^SYNTHETIC:?\s*/, "")}, study ${n.study.name}. Every number below comes from udev logs the modburst model wrote, not from a machine: a worked example of the kit, not a measurement.`
            : `Study ${n.study.name}: ${n.study.title}.`) + ` ${quality}`,
        ),
        "",
      ];
  const text = [
    n.subject,
    "",
    ...studyLines,
    justification,
    "",
    wrap(`Measured (${n.measuredCells[0].seconds.length} boots per configuration; seconds from the first to the last udev log line of each module):`),
    "",
    formatSeedLayout(n.measuredCells),
    "",
    wrap(`Simulated by the calibrated modburst ${n.version} model (${simulatedBootsText(n)}):`),
    "",
    formatSeedLayout(n.simulatedCells),
    "",
    wrap(
      `Model, ${n.module} at ${n.cpus} CPUs: v6.2 ${ci(n.predictedSpan["no-wait-going"], 1, n.fit.widenFactor)}, ` +
        `v6.5 ${ci(n.predictedSpan.idempotent, 1, n.fit.widenFactor)}. ` +
        `The model's means are within ${s1(n.unseen.maxAbsErrorPct)}% of the measured ones on boots the calibration never saw ` +
        `(seed ${n.unseen.seed}); ` +
        (n.unseen.variants.length > 1
          ? `intervals span ${n.unseen.variants.length} structures the sources leave open (${n.unseen.variants.join(", ")}), each calibrated to the same boots, x ${n.unseen.refits / n.unseen.variants.length} refits each to bootstrap resamples of the measured boots`
          : `intervals come from ${n.unseen.refits} refits to bootstrap resamples of the measured boots`) +
        (n.fit.widenFactor > 1 ? `, each widened x${n.fit.widenFactor.toFixed(2)} (to p5 / ${n.fit.widenFactor.toFixed(2)} and p95 x ${n.fit.widenFactor.toFixed(2)}) because the fit is flagged.` : ".") +
        (n.external.length === 0
          ? ""
          : ` Independent check, ${n.external[0].cpus} CPUs (LKML 2022-12-07), reported vs model: ` +
            n.external.map((e) => `${e.policy} ${e.module.replace(/_cpufreq/g, "")} ${e.reported.toFixed(2)} s vs ${e.predicted.toFixed(2)} s`).join(", ") +
            "."),
    ),
    "",
    wrap(
      `Peak vmalloc held by load attempts in flight (model, mean): ` +
        `${s1(n.peakVmallocMiB.base)} MiB on 6.0-rc3, ${s1(n.peakVmallocMiB.merge)} MiB with this patch, ` +
        `${n.peakVmallocMiB.idempotent.toFixed(2)} MiB on v6.5.`,
    ),
    "",
    `Figures (modburst, ${n.study ? `${n.study.figuresDir}/` : "figures/"}):`,
    ...figureLines,
    "",
  ].join("\n");
  return toAscii(text);
}

/** Anything outside printable ASCII would break a plain-text patch mail. */
export function toAscii(text: string): string {
  const bad = [...text].find((ch) => ch !== "\n" && (ch < " " || ch > "~"));
  if (bad !== undefined) throw new Error(`commit message contains a non-ASCII character U+${bad.codePointAt(0)!.toString(16)}`);
  return text;
}

export function checkCommitMessage(text: string): { ascii: boolean; maxLineLength: number } {
  return {
    ascii: [...text].every((ch) => ch === "\n" || (ch >= " " && ch <= "~")),
    maxLineLength: Math.max(...text.split("\n").map((l) => l.length)),
  };
}
