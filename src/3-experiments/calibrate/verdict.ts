/**
 * A calibration's verdict: did the fit converge, which free parameters ended at
 * or near a bound (where the data could not pin them down), and does the model
 * reproduce each measured mean on boots no fit used, within that mean's own 95%
 * interval. A deterministic function of the record's fit, bounds and unseen
 * check, plus the measured boots (for the intervals), so a record's verdict can
 * be recomputed and checked without re-running the fit.
 *
 * A fit that did not converge, misses a measured mean beyond its interval, or
 * leaves a free parameter at or near a bound is flagged, and its prediction
 * intervals are widened by the factor below. A parameter on a bound is flagged
 * because the bootstrap refits then sit on the bound too: their intervals cannot
 * show how little the data say about it.
 */
import type { CellKey } from "../../2-measurements/measured";
import { UserError } from "../../core/errors";
import type { Params } from "../../1-model/params";
import { meanTInterval } from "../../core/stats/hypothesisTests";
import type { FreeParam } from "./bounds";
import type { CellFit, FitCell } from "./fit";

/**
 * "Near a bound": within this share of the bounds' range (hi - lo) of lo or hi,
 * i.e. |logit| >= ln(99) = 4.6 in the optimiser's coordinates, where a step of
 * the Levenberg-Marquardt search moves the value by less than 1% of the range.
 */
export const nearBoundShare = 0.01;

/** The confidence level of each measured mean's interval (Student t on its boots). */
export const measuredIntervalLevel = 0.95;

export interface BoundHit {
  name: string;
  value: number;
  lo: number;
  hi: number;
  bound: "lower" | "upper";
  /** Where the value sits in lo..hi, percent (0 at lo, 100 at hi). */
  positionPct: number;
}

export interface CellVerdict extends CellKey {
  /** Measured boots, and the 95% t-interval of their mean. */
  measuredBoots: number;
  measuredMean: number;
  lo: number;
  hi: number;
  /** The model's mean on the unseen seed, and its error against the measured mean (percent of the measured mean). */
  simulatedMean: number;
  errorPct: number;
  inside: boolean;
}

export interface FitVerdict {
  /** Converged, no free parameter at or near a bound, and every unseen mean inside its measured interval: predictions are not widened. */
  ok: boolean;
  converged: boolean;
  stopReason: string;
  nearBoundShare: number;
  atBounds: BoundHit[];
  level: number;
  unseenSeed: number;
  cells: CellVerdict[];
  /** Cells whose unseen mean falls outside the measured interval. */
  outside: number;
  maxAbsErrorPct: number;
  /**
   * Prediction intervals become [p5 / widenFactor, p95 x widenFactor]: 1 for a
   * fit that is ok; for a flagged one, the largest ratio between the model's and
   * the measured mean on the unseen boots, whichever is larger (1.25 for a mean
   * 20% low, 1.2 for one 20% high), so that the interval would still cover the
   * truth if a prediction were off by as much as the fit's worst cell. It is at
   * least 1 + the largest relative miss.
   */
  widenFactor: number;
}

const round6 = (x: number) => Number(x.toPrecision(6));

/** The free parameters at or near a bound, lowest bound first in the record's order. */
export function boundHits(free: FreeParam[], params: Params): BoundHit[] {
  return free.flatMap((f) => {
    const u = (params[f.name] - f.lo) / (f.hi - f.lo);
    if (u > nearBoundShare && u < 1 - nearBoundShare) return [];
    return [{ name: f.name, value: params[f.name], lo: f.lo, hi: f.hi, bound: u <= nearBoundShare ? ("lower" as const) : ("upper" as const), positionPct: round6(u * 100) }];
  });
}

/** The factor a flagged fit's prediction intervals are widened by (see FitVerdict.widenFactor). */
export function widenFactorOf(cells: Array<{ measuredMean: number; simulatedMean: number }>): number {
  return round6(Math.max(1, ...cells.map((c) => Math.max(c.simulatedMean / c.measuredMean, c.measuredMean / c.simulatedMean))));
}

/** The parts of a calibration record the verdict reads. */
export interface VerdictInputs {
  params: Params;
  free: FreeParam[];
  fit: { converged: boolean; stopReason: string };
  unseen: { seed: number; cells: CellFit[] };
}

/** The verdict of a record, given the measured boots of its cells (any order; matched by config and module). */
export function fitVerdict(rec: VerdictInputs, measured: FitCell[]): FitVerdict {
  const cells: CellVerdict[] = rec.unseen.cells.map((c) => {
    const m = measured.find((x) => x.config === c.config && x.module === c.module);
    const ci = m && m.seconds.length >= 2 ? meanTInterval(m.seconds, measuredIntervalLevel) : undefined;
    // The record must have been fitted to these very boots: a verdict against other data would be meaningless.
    if (!m || !ci || Math.abs(ci.mean - c.measuredMean) > 1e-9 * Math.max(1, c.measuredMean)) {
      throw new UserError(
        `invalid calibration record: unseen cell ${c.config} ${c.module}: measured mean ${c.measuredMean} (allowed: the mean of the measured boots it was fitted to${m ? `, ${ci ? ci.mean : "at least 2 boots"}` : ", none found"}; re-run modburst calibrate)`,
      );
    }
    // Judged on the interval as stored, so that a reader of the record finds the same answer.
    const lo = round6(ci.lo);
    const hi = round6(ci.hi);
    return {
      config: c.config,
      policy: c.policy,
      module: c.module,
      measuredBoots: m.seconds.length,
      measuredMean: c.measuredMean,
      lo,
      hi,
      simulatedMean: c.simulatedMean,
      errorPct: c.errorPct,
      inside: c.simulatedMean >= lo && c.simulatedMean <= hi,
    };
  });
  const outside = cells.filter((c) => !c.inside).length;
  const atBounds = boundHits(rec.free, rec.params);
  const ok = rec.fit.converged && outside === 0 && atBounds.length === 0;
  return {
    ok,
    converged: rec.fit.converged,
    stopReason: rec.fit.stopReason,
    nearBoundShare,
    atBounds,
    level: measuredIntervalLevel,
    unseenSeed: rec.unseen.seed,
    cells,
    outside,
    maxAbsErrorPct: Math.max(...cells.map((c) => Math.abs(c.errorPct))),
    widenFactor: ok ? 1 : widenFactorOf(cells),
  };
}
