/**
 * The shape of a calibration record (data/studies/pavlu-2022-10-15/calibration.json), checked as a
 * whole: every section, every key, its type and range. A mistake is one line
 * naming the file and the field, `invalid data/studies/pavlu-2022-10-15/calibration.json:
 * params.rcuGpExtraMs: missing (allowed 0..1000)`, exit 2. writeCalibration
 * checks what it writes against the same schema, so reader and writer agree.
 */
import { invalid, UserError } from "../errors";
import { Params, paramNames, paramsFromJson, paramSpecs, ParamSpec, readParamsJson } from "../model/params";
import { displayPath } from "../data/csv";
import { maxCpus } from "../model/limits";

export type Schema =
  | { kind: "number"; min?: number; max?: number; integer?: boolean }
  | { kind: "string" }
  | { kind: "boolean" }
  /** Every model parameter, each in its documented range. */
  | { kind: "params" }
  | { kind: "object"; fields: Record<string, Schema> }
  /** An object of any keys (e.g. boots per policy), each value `value`. */
  | { kind: "map"; value: Schema }
  | { kind: "array"; items: Schema; minLength?: number }
  /** A field of an object that may be absent (checked as `schema` when present). */
  | { kind: "optional"; schema: Schema }
  | { kind: "enum"; values: string[] };

const num = (min?: number, max?: number): Schema => ({ kind: "number", min, max });
const int = (min?: number, max?: number): Schema => ({ kind: "number", min, max, integer: true });
const str: Schema = { kind: "string" };
const bool: Schema = { kind: "boolean" };
const params: Schema = { kind: "params" };
const obj = (fields: Record<string, Schema>): Schema => ({ kind: "object", fields });
const arr = (items: Schema, minLength = 0): Schema => ({ kind: "array", items, minLength });
const optional = (schema: Schema): Schema => ({ kind: "optional", schema });
const oneOf = (...values: string[]): Schema => ({ kind: "enum", values });

const cellFit = obj({
  config: str,
  policy: str,
  module: str,
  measuredMean: num(0),
  simulatedMean: num(0),
  errorPct: num(),
  measuredSd: num(0),
  simulatedSd: num(0),
  boots: int(1),
});
const bootsPerPolicy: Schema = { kind: "map", value: int(1, 1_000_000) };

/** calibrate/verdict.ts FitVerdict. */
const verdict = obj({
  ok: bool,
  converged: bool,
  stopReason: str,
  nearBoundShare: num(0, 0.5),
  atBounds: arr(obj({ name: str, value: num(), lo: num(), hi: num(), bound: oneOf("lower", "upper"), positionPct: num(0, 100) })),
  level: num(0, 1),
  unseenSeed: int(0, 2 ** 32 - 1),
  cells: arr(obj({ config: str, policy: str, module: str, measuredBoots: int(2), measuredMean: num(0), lo: num(), hi: num(), simulatedMean: num(0), errorPct: num(), inside: bool }), 1),
  outside: int(0),
  maxAbsErrorPct: num(0),
  widenFactor: num(1),
});

export const calibrationSchema = obj({
  description: str,
  params,
  free: arr(obj({ name: str, lo: num(), hi: num(), why: str }), 1),
  design: obj({ scenario: str, cpus: int(1, maxCpus), seed: int(0, 2 ** 32 - 1), boots: bootsPerPolicy, refits: int(0, 100_000), refitEvals: int(0, 1_000_000) }),
  fit: obj({ cells: arr(cellFit, 1), objective: num(0), maxAbsErrorPct: num(0), evaluations: int(0), iterations: int(0), converged: bool, stopReason: str }),
  unseen: obj({ seed: int(0, 2 ** 32 - 1), boots: bootsPerPolicy, cells: arr(cellFit, 1), maxAbsErrorPct: num(0), maxModelNoisePct: num(0) }),
  verdict,
  outOfSample: obj({
    fittedOn: arr(str, 1),
    params,
    fitCells: arr(cellFit, 1),
    predicted: arr(cellFit, 1),
    maxAbsPredictionErrorPct: num(0),
    evaluations: int(0),
    converged: bool,
    stopReason: str,
  }),
  bootstrap: obj({
    method: str,
    refits: arr(obj({ resample: int(1), targetMeans: arr(num(0)), params, objective: num(0), evaluations: int(0) })),
    spread: arr(obj({ name: str, fitted: num(), median: num(), p5: num(), p95: num(), relativeWidth: num() })),
    correlations: obj({ names: arr(str), matrix: arr(arr(num(-1, 1))) }),
  }),
  // budgetSeconds: absent in records written before fits had a time budget (the seed's: none applied).
  optimiser: obj({ name: str, space: str, h: num(0), maxIterations: int(0), tolStep: num(0), tolRel: num(0), lambda: num(0), budgetSeconds: optional(num(0)), spreadWeight: optional(num(0)) }),
  code: obj({ modburst: str, commit: str }),
});

/** The sections of a calibration record: a params file with any of them besides `params` is a calibration record. */
export const calibrationSections = Object.keys((calibrationSchema as { fields: Record<string, Schema> }).fields);

function allowedOf(s: Schema): string {
  switch (s.kind) {
    case "number": {
      const what = s.integer ? "integer" : "number";
      if (s.min !== undefined && s.max !== undefined) return `${s.integer ? "integer " : ""}${s.min}..${s.max}`;
      if (s.min !== undefined) return `${what} >= ${s.min}`;
      if (s.max !== undefined) return `${what} <= ${s.max}`;
      return `a finite ${what}`;
    }
    case "string":
      return "a string";
    case "boolean":
      return "true|false";
    case "params":
      return `an object of every parameter: ${paramNames.join(", ")}`;
    case "object":
      return `an object of ${Object.keys(s.fields).join(", ")}`;
    case "map":
      return `an object of ${allowedOf(s.value)} values`;
    case "array":
      return `an array${s.minLength ? ` of at least ${s.minLength}` : ""}`;
    case "optional":
      return allowedOf(s.schema);
    case "enum":
      return s.values.join("|");
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function specAllowed(spec: ParamSpec): Schema {
  return { kind: "number", min: spec.min, max: spec.max, integer: spec.integer === true };
}

/** Check `value` against `schema`; `where` names the field (`params.readUs`), `fail` makes the error. */
function check(value: unknown, schema: Schema, where: string, fail: (field: string, value: unknown, allowed: string) => UserError): void {
  const bad = () => fail(where, value, allowedOf(schema));
  switch (schema.kind) {
    case "number":
      if (typeof value !== "number" || !Number.isFinite(value)) throw bad();
      if ((schema.min !== undefined && value < schema.min) || (schema.max !== undefined && value > schema.max) || (schema.integer && !Number.isInteger(value))) throw bad();
      return;
    case "string":
      if (typeof value !== "string") throw bad();
      return;
    case "boolean":
      if (typeof value !== "boolean") throw bad();
      return;
    case "params": {
      if (!isObject(value)) throw bad();
      for (const k of Object.keys(value)) if (!(paramNames as string[]).includes(k)) throw fail(`${where}.${k}`, "unknown parameter", paramNames.join(", "));
      for (const k of paramNames) {
        const field = specAllowed(paramSpecs[k]);
        if (!(k in value)) throw fail(`${where}.${k}`, "missing", allowedOf(field));
        check(value[k], field, `${where}.${k}`, fail);
      }
      return;
    }
    case "object": {
      if (!isObject(value)) throw bad();
      for (const k of Object.keys(value)) if (!(k in schema.fields)) throw fail(where ? `${where}.${k}` : k, "unknown field", Object.keys(schema.fields).join(", "));
      for (const [k, s] of Object.entries(schema.fields)) {
        const at = where ? `${where}.${k}` : k;
        if (!(k in value)) {
          if (s.kind === "optional") continue;
          throw fail(at, "missing", allowedOf(s));
        }
        check(value[k], s, at, fail);
      }
      return;
    }
    case "map":
      if (!isObject(value) || Object.keys(value).length === 0) throw bad();
      for (const [k, v] of Object.entries(value)) check(v, schema.value, `${where}.${k}`, fail);
      return;
    case "array":
      if (!Array.isArray(value) || value.length < (schema.minLength ?? 0)) throw bad();
      value.forEach((v, i) => check(v, schema.items, `${where}[${i}]`, fail));
      return;
    case "optional":
      check(value, schema.schema, where, fail);
      return;
    case "enum":
      if (typeof value !== "string" || !schema.values.includes(value)) throw bad();
      return;
  }
}

/** A value as an error line shows it: an object or array by its kind (it may be large), a long string cut. */
function shown(v: unknown): unknown {
  if (Array.isArray(v)) return "an array";
  if (isObject(v)) return "an object";
  if (typeof v === "string" && v.length > 60) return JSON.stringify(v.slice(0, 57) + "...");
  if (typeof v === "string" && !["missing", "unknown field", "unknown parameter"].includes(v)) return JSON.stringify(v);
  return v;
}

/** Whether a parsed params file is a calibration record (to be checked whole) rather than a set of parameter values. */
export function isCalibrationRecord(json: unknown): boolean {
  return isObject(json) && "params" in json && Object.keys(json).some((k) => k !== "params" && calibrationSections.includes(k));
}

/**
 * Check a parsed calibration record; errors name `file` (as shown) and the field.
 * Beyond the types and ranges: each free parameter is a model parameter with lo < hi.
 */
export function checkCalibrationRecord(json: unknown, file: string, o: { withoutVerdict?: boolean } = {}): void {
  const fail = (field: string, value: unknown, allowed: string) => invalid(field ? `${file}: ${field}` : file, shown(value), allowed);
  if (o.withoutVerdict) {
    // A record written before verdicts existed, about to get one (calibrate --verdict-only): everything else checked.
    const { verdict: _, ...fields } = (calibrationSchema as { fields: Record<string, Schema> }).fields;
    const { verdict: __, ...rest } = isObject(json) ? json : { verdict: undefined };
    check(isObject(json) ? rest : json, obj(fields), "", fail);
  } else {
    if (isObject(json) && "params" in json && !("verdict" in json)) {
      throw new UserError(`invalid ${file}: verdict: missing (allowed: a record with its fit's verdict; add it without re-fitting: modburst calibrate --verdict-only, with --study NAME for a study)`);
    }
    check(json, calibrationSchema, "", fail);
  }
  const rec = json as { free: Array<{ name: string; lo: number; hi: number }> };
  rec.free.forEach((f, i) => {
    if (!(paramNames as string[]).includes(f.name)) throw fail(`free[${i}].name`, f.name, paramNames.join(", "));
    if (!(f.lo < f.hi)) throw fail(`free[${i}].hi`, f.hi, `a number > lo (${f.lo})`);
  });
}

/**
 * `--params FILE` and the default data/studies/pavlu-2022-10-15/calibration.json: a calibration
 * record (checked whole) or, unless `record` is required, a set of parameter
 * values (flat or under "params", possibly partial: the rest are the defaults).
 * Light on purpose: `modburst simulate` loads this, not the calibration code.
 */
export function readParamsOrCalibration(file: string, opts: { record?: boolean } = {}): Params {
  const json = readParamsJson(file, opts.record ? "calibration file" : "params file");
  if (!opts.record && !isCalibrationRecord(json)) return paramsFromJson(json, file);
  checkCalibrationRecord(json, displayPath(file));
  return (json as { params: Params }).params;
}
