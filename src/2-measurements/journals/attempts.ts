/**
 * One load attempt as udev logged it: the record every log parser produces, the
 * span computation reads and the log formatters write back out.
 */

/** What udev's kmod builtin logged for one module of one request. */
export const outcomes = ["inserted", "already-loaded", "failed"] as const;
export type AttemptOutcome = (typeof outcomes)[number];

export interface LoadAttempt {
  /** 1-based boot number, in input order across every log file. */
  boot: number;
  /** Seconds since the boot's first systemd-udevd line (integer microseconds / 1e6). */
  timeSeconds: number;
  /** The module name as kmod spells it (`acpi_cpufreq`). */
  module: string;
  outcome: AttemptOutcome;
  /** For `failed`: the errno name (`EBUSY`), or "" when the log's text is not a known errno; "" otherwise. */
  errno: string;
  /** For `failed`: the strerror text udev printed (`Device or resource busy`); "" otherwise or when the log version printed none. */
  errnoText: string;
}

/**
 * Which outcomes bound the measured span. The seed measured "from the first load
 * attempt of a given module to the last one" (Pavlu, LKML, 2022-10-15); an
 * -EBUSY failure is such an attempt (finit_module ran and returned). "Module 'X'
 * is already loaded" is not: udev read /sys/module/X/initstate == live and
 * called no finit_module at all (systemd module_load_and_warn). The model draws
 * the same line: src/1-model/boot.ts leaves `skipped` requests out of spanSeconds.
 * Such lines still go to the events CSV.
 */
export const spanOutcomes: readonly AttemptOutcome[] = ["inserted", "failed"];
