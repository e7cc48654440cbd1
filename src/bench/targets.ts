/**
 * Speed targets as data: what was measured, against what bound, and whether it
 * holds. A target with nothing measured is "not measured": printed, recorded,
 * never counted as missed (its measurement belongs to another run).
 */
import * as os from "os";

export interface Target {
  name: string;
  /** Null: not measured in this run, nor recorded in a timings file. */
  measured: number | null;
  target: number;
  unit: string;
  /** Whether the measured value must stay at or below the target, or at or above it. */
  bound: "max" | "min";
  /** Null when not measured. */
  ok: boolean | null;
  /** How it was measured (rounds, source file), for the table and the record. */
  note: string;
}

export type TargetStatus = "ok" | "missed" | "not measured";

export function judge(t: Omit<Target, "ok">): Target {
  const ok = t.measured === null ? null : t.bound === "max" ? t.measured <= t.target : t.measured >= t.target;
  return { ...t, ok };
}

export function statusOf(t: Target): TargetStatus {
  return t.ok === null ? "not measured" : t.ok ? "ok" : "missed";
}

export function missedCount(targets: Target[]): number {
  return targets.filter((t) => t.ok === false).length;
}

/** Value and unit as printed: few enough digits to read, enough to compare runs. */
export function formatMeasure(value: number | null, unit: string): string {
  if (value === null) return "-";
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return unit === "" ? value.toFixed(digits) : `${value.toFixed(digits)} ${unit}`;
}

export function formatBound(t: Target): string {
  return `${t.bound === "max" ? "<=" : ">="} ${t.target}${t.unit === "" ? "" : ` ${t.unit}`}`;
}

export interface Machine {
  cpuModel: string;
  cores: number;
  node: string;
  /** 1-minute load average when the bench started: other programs' share of the cores. */
  loadAverage1m: number;
}

export function thisMachine(): Machine {
  const cpus = os.cpus();
  return {
    cpuModel: cpus.length > 0 ? cpus[0].model.trim() : "unknown",
    cores: typeof os.availableParallelism === "function" ? os.availableParallelism() : cpus.length,
    node: process.version,
    loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
  };
}

/** The whole table as data/derived/bench.json holds it. */
export function benchRecord(machine: Machine, targets: Target[], finishedAt: Date) {
  return {
    finishedAt: finishedAt.toISOString(),
    machine,
    targets: targets.map((t) => ({
      name: t.name,
      measured: t.measured === null ? null : Number(t.measured.toPrecision(4)),
      target: t.target,
      unit: t.unit,
      bound: t.bound,
      ok: t.ok,
      status: statusOf(t),
      note: t.note,
    })),
    missed: missedCount(targets),
  };
}
