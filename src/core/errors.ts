/**
 * A mistake in what the user asked for (a flag, a file, a parameter). CLIs print
 * its message as one line and exit with `exitCode`; anything else is a bug and
 * keeps its stack trace.
 */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = "UserError";
    this.exitCode = exitCode;
  }
}

/** `invalid cpus: -5 (allowed 1..16384)` */
export function invalid(field: string, value: unknown, allowed: string): UserError {
  return new UserError(`invalid ${field}: ${formatValue(value)} (allowed ${allowed})`);
}

function formatValue(value: unknown): string {
  if (typeof value === "string") return value === "" ? '""' : value;
  if (typeof value === "number" || typeof value === "boolean" || value == null) return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** A finite number in [min, max]; strings are parsed strictly ("12abc" is rejected). */
export function checkNumber(field: string, value: unknown, min: number, max: number, opts: { integer?: boolean } = {}): number {
  const allowed = `${opts.integer ? "integer " : ""}${min}..${max}`;
  let n: number;
  if (typeof value === "number") n = value;
  else if (typeof value === "string" && value.trim() !== "" && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value.trim())) n = Number(value);
  else throw invalid(field, value, allowed);
  if (!Number.isFinite(n) || n < min || n > max || (opts.integer && !Number.isInteger(n))) throw invalid(field, value, allowed);
  return n;
}

export function checkInteger(field: string, value: unknown, min: number, max: number): number {
  return checkNumber(field, value, min, max, { integer: true });
}

/** One of a fixed set of names; the error lists them. */
export function checkKeyword<T extends string>(field: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw invalid(field, value, allowed.join("|"));
}
