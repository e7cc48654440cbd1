/**
 * Value axes whose range and labels come from the values plotted. Every log
 * axis of the kit goes through `valueAxis`:
 * - the range holds every value (with a little room), so no study's data falls
 *   off a fixed range (a 0.3 s span on an axis fixed at 1-70 s shows nothing);
 * - the ticks are written out, with their unit ("2 s", "5 s", "10 s", "20 s",
 *   "50 s"): plotly's own log ticks label the values between decades with their
 *   first digit only ("2 3 4 5"), so 45 s reads "4.5" and a panel of MiB reads
 *   "5 2 10 5 2 1";
 * - a value that a log scale cannot show (0, say a span of one attempt) makes the
 *   axis linear from 0 instead, so it is still drawn.
 */
import { maxOf, minOf } from "../../core/arrays";

export interface AxisOptions {
  /** The quantity, e.g. "first to last load attempt". */
  title: string;
  /** Its unit, in the title: "s", "count", "MiB", "ratio". */
  unit: string;
  /** Appended to each tick label: " s", " MiB", "x"; none for counts. */
  tickSuffix?: string;
  /**
   * Start a log axis at the decade below the smallest value (1 s under 1.7 s):
   * bars on a log axis start at the bottom of the range, so a bar's height
   * would otherwise depend on how close the smallest value is to it.
   */
  fromDecade?: boolean;
}

export type Axis = Record<string, unknown>;

/** Mantissas of the ticks in one decade, densest first; `ticksFor` picks the set that fits the range. */
const mantissas = {
  fine: [1, 1.5, 2, 2.5, 3, 4, 5, 6, 7, 8],
  medium: [1, 2, 3, 5],
  coarse: [1, 2, 5],
};

/** At least this many labelled ticks in a range, and at most this many. */
export const minTicks = 4;
export const maxTicks = 10;

/** The ticks m x 10^k (m from `set`, k every `decadeStep` decades) within [lo, hi] (values, not logs). */
function ticksIn(lo: number, hi: number, set: number[], decadeStep = 1): number[] {
  const out: number[] = [];
  const k0 = Math.floor(Math.log10(lo)) - 1;
  const k1 = Math.ceil(Math.log10(hi)) + 1;
  for (let k = k0; k <= k1; k++) {
    if (set.length === 1 && ((k % decadeStep) + decadeStep) % decadeStep !== 0) continue;
    for (const m of set) {
      // toPrecision: 3 x 0.1 is 0.30000000000000004 in floating point.
      const v = Number((m * 10 ** k).toPrecision(12));
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  return out;
}

/**
 * The ticks of a log axis over [lo, hi]: 1-2-5 in every decade; every decade
 * alone (or every 2nd, 3rd, ...) when that would be more than `maxTicks`;
 * 1-2-3-5 or finer when 1-2-5 gives fewer than `minTicks`.
 */
export function logTicks(lo: number, hi: number): number[] {
  const coarse = ticksIn(lo, hi, mantissas.coarse);
  if (coarse.length > maxTicks) {
    for (let step = 1; ; step++) {
      const decades = ticksIn(lo, hi, [1], step);
      if (decades.length <= maxTicks) return decades;
    }
  }
  if (coarse.length >= minTicks) return coarse;
  const medium = ticksIn(lo, hi, mantissas.medium);
  if (medium.length >= minTicks) return medium;
  return ticksIn(lo, hi, mantissas.fine);
}

/** A tick's label: plain decimals ("0.05", "1.5", "2000"), k and M from 10 000 up ("20k", "1M"), never "1e+4". */
export function tickLabel(v: number): string {
  const plain = (x: number) => String(Number(x.toPrecision(6)));
  if (v >= 1e6) return `${plain(v / 1e6)}M`;
  if (v >= 1e4) return `${plain(v / 1e3)}k`;
  return plain(v);
}

/** The finite values of `values` (nulls, NaN and infinities are not drawn). */
function finite(values: Iterable<number | null | undefined>): number[] {
  const out: number[] = [];
  for (const v of values) if (typeof v === "number" && Number.isFinite(v)) out.push(v);
  return out;
}

/** Nearest tick of the fine set at or below / at or above v. */
function fineBelow(v: number): number {
  const t = ticksIn(v / 10, v, mantissas.fine);
  return t[t.length - 1];
}
function fineAbove(v: number): number {
  return ticksIn(v, v * 10, mantissas.fine)[0];
}

/**
 * A log axis over `values` (every value it plots): the range holds them all,
 * padded by 6% of the span (at least 0.04 decade) on each side, and widened to
 * show at least two labelled ticks; the ticks come from `logTicks`. Linear from 0
 * when a value is 0 or negative (a log scale cannot show it).
 */
export function valueAxis(values: Iterable<number | null | undefined>, o: AxisOptions): Axis {
  const vs = finite(values);
  const suffix = o.tickSuffix ?? "";
  if (vs.length === 0) return { type: "log", title: { text: `${o.title} (${o.unit}, log scale)` } };
  const min = minOf(vs);
  const max = maxOf(vs);
  if (min <= 0) {
    const lo = Math.min(0, min);
    const hi = max > lo ? max : lo + 1;
    const pad = 0.05 * (hi - lo);
    // Padded below 0 too, so a marker at 0 is drawn whole.
    return { type: "linear", range: [lo - pad, hi + pad], ticksuffix: suffix, title: { text: `${o.title} (${o.unit})` } };
  }
  let lo = Math.log10(min);
  let hi = Math.log10(max);
  const pad = Math.max(0.04, 0.06 * (hi - lo));
  lo = o.fromDecade ? Math.floor(lo - 1e-9) : lo - pad;
  hi += pad;
  // An end near a 1-2-5 value is moved out to it, so the axis ends on a label (8 under a "10", not past a "5").
  const near = 0.15;
  const above = ticksIn(max, max * 10 ** near, mantissas.coarse)[0];
  if (above !== undefined) hi = Math.max(hi, Math.log10(above) + 0.02);
  const below = ticksIn(min / 10 ** near, min, mantissas.coarse).pop();
  if (below !== undefined && !o.fromDecade) lo = Math.min(lo, Math.log10(below) - 0.02);
  if (ticksIn(10 ** lo, 10 ** hi, mantissas.fine).length < 2) {
    lo = Math.min(lo, Math.log10(fineBelow(min)) - 0.02);
    hi = Math.max(hi, Math.log10(fineAbove(max)) + 0.02);
  }
  const ticks = logTicks(10 ** lo, 10 ** hi);
  // Faint unlabelled grid lines at 2..9 x 10^k between the labelled ticks, so a value can be read off between them.
  const minor = ticksIn(10 ** lo, 10 ** hi, [1, 2, 3, 4, 5, 6, 7, 8, 9]).filter((t) => !ticks.includes(t));
  return {
    type: "log",
    range: [lo, hi],
    tickmode: "array",
    tickvals: ticks,
    ticktext: ticks.map((t) => `${tickLabel(t)}${suffix}`),
    ...(minor.length > 0 && minor.length <= 60 ? { minor: { tickmode: "array", tickvals: minor, showgrid: true, gridcolor: "#f3f3f3" } } : {}),
    title: { text: `${o.title} (${o.unit}, log scale)` },
  };
}

/** Seconds on a log axis, e.g. spans: "first to last load attempt (s, log scale)", ticks "2 s", "50 s". */
export const secondsAxis = (values: Iterable<number | null | undefined>, o: { title?: string; fromDecade?: boolean } = {}): Axis =>
  valueAxis(values, { title: o.title ?? "first to last load attempt", unit: "s", tickSuffix: " s", fromDecade: o.fromDecade });

/** CPU counts on a log axis. */
export const cpusAxis = (values: Iterable<number | null | undefined>): Axis => valueAxis(values, { title: "CPUs", unit: "count" });
