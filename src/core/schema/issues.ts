/**
 * One schema layer for every JSON input (valibot: README "Inputs"). The rules
 * below carry their "allowed" text as valibot's message, so one formatter turns
 * the first issue into one line: `invalid FILE: path.to.field: value (allowed X)`.
 */
import * as v from "valibot";
import { UserError } from "../errors";

type Schema = v.GenericSchema;
type Issue = v.BaseIssue<unknown>;

/** What a rule allows, as an error line says it (a schema's own message, or its wrapped schema's). */
export function allowedOf(s: Schema): string {
  const m = (s as { message?: unknown }).message;
  if (typeof m === "string") return m;
  if (typeof m === "function") return m({ path: undefined, expected: null, input: null });
  const wrapped = (s as { wrapped?: Schema }).wrapped;
  return wrapped ? allowedOf(wrapped) : "a valid value";
}

/** A finite number, an integer when `integer`, in [min, max] (either end open when undefined). */
export function num(min?: number, max?: number, o: { integer?: boolean } = {}) {
  const what = o.integer ? "integer" : "number";
  const msg =
    min !== undefined && max !== undefined ? `${o.integer ? "integer " : ""}${min}..${max}` : min !== undefined ? `${what} >= ${min}` : max !== undefined ? `${what} <= ${max}` : `a finite ${what}`;
  return v.pipe(v.number(msg), v.finite(msg), v.check((n) => (!o.integer || Number.isInteger(n)) && (min === undefined || n >= min) && (max === undefined || n <= max), msg));
}
export const int = (min?: number, max?: number) => num(min, max, { integer: true });
export const str = v.string("a string");
export const nonEmpty = v.pipe(v.string("a non-empty string"), v.nonEmpty("a non-empty string"));
export const bool = v.boolean("true|false");
export const oneOf = <const T extends readonly string[]>(values: T) => v.picklist(values, values.join("|"));
export const arr = <S extends Schema>(items: S, minLength = 0) => {
  const msg = `an array${minLength ? ` of at least ${minLength}` : ""}`;
  return v.pipe(v.array(items, msg), v.minLength(minLength, msg));
};
/** An object of any keys, each value `value`, at least one. */
export const map = <S extends Schema>(value: S, allowed = `an object of ${allowedOf(value)} values`) => v.pipe(v.record(v.string(), value, allowed), v.check((o) => Object.keys(o).length > 0, allowed));

/** Exactly these keys (optional ones may be missing): a missing key names what it allows, an unknown one the keys. */
export function obj<E extends v.ObjectEntries>(entries: E) {
  const keys = Object.keys(entries).join(", ");
  return v.strictObject(entries, (issue: Issue) => {
    const at = issue.path?.[issue.path.length - 1] as { key?: string } | undefined;
    if (issue.expected === "never") return keys;
    if (at && issue.input === undefined) return allowedOf(entries[at.key as string] as Schema);
    return `an object of ${keys}`;
  });
}

/** A JSON object (not an array, not null): the one test of it, for inputs whose kind decides their schema. */
export const isObject = (j: unknown): j is Record<string, unknown> => typeof j === "object" && j !== null && !Array.isArray(j);

/** A value as an error line shows it: strings quoted (a line break shows), large objects by their kind. */
function shown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > 80 ? value.slice(0, 77) + "..." : value);
  if (typeof value !== "object" || value === null) return String(value);
  const json = JSON.stringify(value);
  return json.length <= 60 ? json : Array.isArray(value) ? "an array" : "an object";
}

/** `invalid FILE: path.to.field: value (allowed X)`; `value` is shown as shown() does unless `raw`. */
export function invalidAt(file: string, field: string, value: unknown, allowed: string, o: { raw?: boolean } = {}): UserError {
  return new UserError(`invalid ${file}: ${field ? `${field}: ` : ""}${o.raw ? String(value) : shown(value)} (allowed ${allowed})`);
}

/** The one-line error of an issue: its path, the value (or missing / unknown key) and what is allowed. */
export function issueError(file: string, issue: Issue): UserError {
  const path = issue.path ?? [];
  const field = path.map((p, i) => (p.type === "array" ? `[${String(p.key)}]` : `${i ? "." : ""}${String(p.key)}`)).join("");
  const last = path[path.length - 1] as { origin?: string; input?: unknown } | undefined;
  const byKey = last?.origin === "key";
  // valibot's object schemas take an array as an object with keys 0, 1, ...: name the array instead.
  if (byKey && Array.isArray(last?.input)) return invalidAt(file, field.replace(/(\.|^)[^.[]*$|\[[^\]]*\]$/, ""), last?.input, `an object of ${issue.message}`);
  if (byKey && issue.input === undefined) return invalidAt(file, field, "missing", issue.message, { raw: true });
  if (byKey) return invalidAt(file, field, "unknown key", issue.message, { raw: true });
  return invalidAt(file, field, issue.input, issue.message);
}

/** `json` checked against `schema`; the first problem is one line naming `file` (as shown) and the field. */
export function parseWith<S extends Schema>(schema: S, json: unknown, file: string): v.InferOutput<S> {
  const r = v.safeParse(schema, json, { abortEarly: true });
  if (!r.success) throw issueError(file, r.issues[0]);
  // The input itself (checked, same content): its key order is the file's, so a record re-written keeps it.
  return json as v.InferOutput<S>;
}
