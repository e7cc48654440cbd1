/**
 * The resources a simulate or sweep may take: estimated before any work (see
 * parallel/estimate.ts), printed, and refused past a limit with a line naming
 * the estimate and what allows it, so an hours-long or machine-filling run never
 * starts by accident.
 */
import * as os from "os";
import { checkNumber, invalid, UserError } from "../core/errors";
import type { Estimate } from "../3-experiments/parallel/estimate";

export const defaultMaxHours = 1;

/** A run longer than a year is a typo, not a plan. */
const maxMaxHours = 10_000;

/** --max-hours: a positive number of hours (default 1, or the command's own). */
export function parseMaxHours(value: string | boolean | undefined, defaultHours = defaultMaxHours): number {
  if (value === undefined) return defaultHours;
  const allowed = `a positive number of hours up to ${maxMaxHours}, e.g. 0.5 or 24`;
  let hours: number;
  try {
    hours = checkNumber("max-hours", value, 0, maxMaxHours);
  } catch {
    throw invalid("max-hours", value, allowed);
  }
  if (hours <= 0) throw invalid("max-hours", value, allowed);
  return hours;
}

/** `960 boots on 2 threads`, `1 boot on 1 thread` */
export function bootsOnThreads(boots: number, threads: number): string {
  return `${boots} boot${boots === 1 ? "" : "s"} on ${threads} thread${threads === 1 ? "" : "s"}`;
}

/** 40 s, 12 min, 3.5 h, 2100 h: rounded up, never shown as 0. */
export function formatDuration(seconds: number): string {
  if (seconds < 99.5) return `${Math.max(1, Math.ceil(seconds))} s`;
  if (seconds < 99.5 * 60) return `${Math.ceil(seconds / 60)} min`;
  const hours = seconds / 3600;
  return hours < 99.5 ? `${Math.ceil(hours * 10) / 10} h` : `${Math.ceil(hours)} h`;
}

/** 60 MB, 1.2 MB, 850 kB, 3.4 GB (decimal units). */
export function formatBytes(bytes: number): string {
  const units: Array<[number, string]> = [[1e12, "TB"], [1e9, "GB"], [1e6, "MB"], [1e3, "kB"]];
  for (const [size, unit] of units) {
    if (bytes >= size) {
      const v = bytes / size;
      return `${v < 9.95 ? v.toFixed(1) : Math.round(v)} ${unit}`;
    }
  }
  return `${Math.round(bytes)} B`;
}

/** `estimate 40 s, 60 MB memory, 1.2 MB CSV` (the CSV part only for a run that writes one). */
export function formatEstimate(e: Estimate, output?: string): string {
  return `estimate ${formatDuration(e.seconds)}, ${formatBytes(e.memoryBytes)} memory${output ? `, ${formatBytes(e.outputBytes)} ${output}` : ""}`;
}

/** A --max-hours that lets the run through: the estimate rounded up to two digits. */
export function suggestedHours(seconds: number): number {
  const hours = seconds / 3600;
  const step = 10 ** (Math.floor(Math.log10(hours)) - 1);
  return Number((Math.ceil(hours / step) * step).toPrecision(2));
}

export interface Limits {
  maxHours: number;
  /** Memory the machine has (os.totalmem()). */
  memoryBytes: number;
  /** Largest output file (a CSV merge-results can still read); none when nothing is written. */
  outputBytes?: number;
}

/** What the user can change, per limit, for the refusal's "allowed". */
export interface Remedies {
  time: string;
  memory: string;
  output?: (timesOver: number) => string;
}

/**
 * Null when the run fits the limits; otherwise the one-line refusal:
 * `HEAD; estimate ...: over the 1 h limit (allowed: REMEDY, or --max-hours N)`.
 */
export function refusal(head: string, e: Estimate, limits: Limits, remedies: Remedies, output?: string): string | null {
  const est = `${head}; ${formatEstimate(e, output)}`;
  if (e.seconds > limits.maxHours * 3600) {
    const hours = suggestedHours(e.seconds);
    // Past what --max-hours accepts, suggesting it would only earn another refusal.
    const raise = hours <= maxMaxHours ? `, or --max-hours ${hours} to run it` : `; no --max-hours allows it (at most ${maxMaxHours})`;
    return `${est}: over the ${limits.maxHours} h limit (allowed: ${remedies.time}${raise})`;
  }
  if (e.memoryBytes > limits.memoryBytes) {
    return `${est}: more memory than this machine's ${formatBytes(limits.memoryBytes)} (allowed: ${remedies.memory})`;
  }
  if (limits.outputBytes !== undefined && remedies.output && e.outputBytes > limits.outputBytes) {
    return `${est}: over the ${limits.outputBytes}-byte ${output ?? "output"} limit (allowed: ${remedies.output(Math.ceil(e.outputBytes / limits.outputBytes))})`;
  }
  return null;
}

/** Throw the refusal (exit 2) if the run does not fit; else print `HEAD; estimate ...` to stderr. */
export function enforceBudget(head: string, e: Estimate, limits: Omit<Limits, "memoryBytes">, remedies: Remedies, output?: string): void {
  const line = refusal(head, e, { ...limits, memoryBytes: os.totalmem() }, remedies, output);
  if (line !== null) throw new UserError(line);
  process.stderr.write(`${head}; ${formatEstimate(e, output)}\n`);
}
