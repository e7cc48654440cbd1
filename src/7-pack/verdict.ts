/**
 * A calibration's verdict in words: the block `modburst calibrate` prints and
 * notebook 01 shows, and the fit-quality sentence of the commit message's first
 * paragraph. Read from the record's verdict (calibrate/verdict.ts); the
 * measurement that would pin a parameter on a bound comes from its entry in the
 * parameter table (model/params.ts pinnedBy).
 */
import type { FitVerdict } from "../3-experiments/calibrate/verdict";
import { ParamName, paramSpecs } from "../1-model/params";
import { formatTextTable } from "../5-views/tables/format";

/** Four significant digits for a span ("45.00", "0.5398"); a parameter or bound without trailing zeros. */
const secs = (x: number) => x.toPrecision(4);
const sig = (x: number, d = 6) => String(Number(x.toPrecision(d)));
const signed = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(1)}`;
const listed = (xs: string[]) => (xs.length <= 1 ? xs.join("") : `${xs.slice(0, -1).join(", ")} and ${xs[xs.length - 1]}`);

/** What flags a fit, as clauses: "did not converge (...)", "misses 1 of 2 measured means ...", "leaves a, b at or near a bound ...". */
function flags(v: FitVerdict, o: { reason: boolean }): string[] {
  const pct = Math.round(v.level * 100);
  const n = v.atBounds.length;
  return [
    ...(v.converged ? [] : [`did NOT converge${o.reason ? ` (${v.stopReason.split(";")[0]})` : ""}`]),
    ...(v.outside === 0 ? [] : [`misses ${v.outside} of ${v.cells.length} measured means beyond their ${pct}% intervals on boots it never saw`]),
    ...(n === 0 ? [] : [`leaves ${listed(v.atBounds.map((b) => b.name))} at or near ${n === 1 ? "its bound" : "their bounds"}, which the measured spans cannot pin down`]),
  ];
}

/** "FLAGGED: the fit did NOT converge and ...", or "OK: ...". */
export function verdictHeadline(v: FitVerdict): string {
  const pct = Math.round(v.level * 100);
  if (v.ok) return `OK: the fit converged, no free parameter is at or near a bound, and on unseen boots every model mean is inside the measured mean's ${pct}% interval`;
  return `FLAGGED: the fit ${listed(flags(v, { reason: false }))}`;
}

/** What a parameter at a bound means, and what would pin it. */
function boundLine(b: FitVerdict["atBounds"][number]): string {
  const spec = paramSpecs[b.name as ParamName];
  const where = b.positionPct === 0 || b.positionPct === 100 ? "at" : "near";
  return (
    `${b.name} = ${sig(b.value)} ${where} its ${b.bound} bound (${sig(b.lo)}..${sig(b.hi)}, ${b.positionPct.toFixed(1)}% of the range): ` +
    `the measured spans do not pin it down inside its bounds. To pin it: ${spec ? spec.pinnedBy : "a measurement of it directly."}`
  );
}

/** The verdict block, one line each (the table aligned), as `modburst calibrate` prints it and notebook 01 shows it. */
export function verdictLines(v: FitVerdict): string[] {
  const pct = Math.round(v.level * 100);
  const rows = v.cells.map((c) => [c.config, c.module, c.measuredBoots, secs(c.measuredMean), `${secs(c.lo)} to ${secs(c.hi)}`, secs(c.simulatedMean), signed(c.errorPct), c.inside ? "yes" : "NO"]);
  const table = formatTextTable({ columns: ["config", "module", "boots", "measured s", `${pct}% interval s`, "model s", "error %", "inside"], rows });
  return [
    `Verdict: ${verdictHeadline(v)}.`,
    `- convergence: ${v.converged ? "converged" : "NOT converged"} (${v.stopReason})`,
    `- parameters at or near a bound (within ${v.nearBoundShare * 100}% of the range lo..hi from lo or hi): ${v.atBounds.length === 0 ? "none" : v.atBounds.length}`,
    ...v.atBounds.map((b) => `    ${boundLine(b)}`),
    `- unseen seed ${v.unseenSeed}: each model mean against the ${pct}% t-interval of the measured mean (mean +- t x sd / sqrt(boots)):`,
    ...table.split("\n").map((l) => `    ${l}`),
    v.widenFactor > 1
      ? `- predictions: every interval widened x${v.widenFactor.toFixed(3)}, to [p5 / ${v.widenFactor.toFixed(3)}, p95 x ${v.widenFactor.toFixed(3)}] (the largest ratio between a model mean and its measured mean above), so none is narrower than the fit's own miss`
      : `- predictions: the bootstrap refits' 90% intervals, not widened (the fit is not flagged)`,
  ];
}

/**
 * The commit message's fit-quality sentence(s): what the calibration is worth,
 * said before any model number. For a flagged fit: why, which parameters sit on
 * a bound, and that the intervals below are widened for it.
 */
export function fitQualityOf(v: FitVerdict): string {
  const pct = Math.round(v.level * 100);
  const worst = `${v.maxAbsErrorPct.toFixed(1)}%`;
  if (v.ok) return `Model fit: converged, no free parameter at a bound, and on boots it never saw every model mean is inside the measured mean's ${pct}% interval (worst miss ${worst}).`;
  return (
    `MODEL FIT FLAGGED: the calibration ${listed(flags(v, { reason: true }))}. Its worst miss on boots it never saw is ${worst}. ` +
    `The model's numbers below are indicative only, and their intervals are widened x${v.widenFactor.toFixed(2)} to cover that miss.`
  );
}
