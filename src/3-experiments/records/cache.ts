/**
 * The results cache: every experiment's record is stored once, under a key that
 * hashes everything the record is a function of (the experiment's name, its
 * inputs, and the source of the model code that computes it). Each entry stores
 * that provenance beside the record, and is read only when it matches the key
 * asked for. The same inputs
 * read the stored record; any change to them computes a new one. Entries are
 * written atomically, so a crash or a full disk never leaves a half-written
 * record that a later run would trust, and each carries the sha256 of its
 * record, checked on every read: an entry edited by hand (a digit changed) is a
 * miss, recomputed and rewritten, never a wrong number. Before the first record
 * a process computes, the cache folder is probed, so a read-only cache is one
 * line naming it before minutes of work, not an error after.
 *
 * Environment (so a Jupyter kernel started by `npm run reproduce` follows it):
 * - MODBURST_CACHE_DIR: where entries live (default .cache/records/, gitignored);
 * - MODBURST_NO_CACHE=1: compute every record again and overwrite its entry;
 * - MODBURST_CACHE_LOG=FILE: append one JSON line per record asked for, so a
 *   caller can say what a notebook computed and what it reused.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { UserError } from "../../core/errors";
import { fileInTheWay, probeWritableFile, writeFileAtomic } from "../../core/fsutil";
import { paths } from "../../core/paths";
import { modelCodeVersion } from "../../core/codeVersion";

export const cacheEnv = { dir: "MODBURST_CACHE_DIR", noCache: "MODBURST_NO_CACHE", log: "MODBURST_CACHE_LOG" } as const;

export function cacheDir(): string {
  return process.env[cacheEnv.dir] || paths.recordCache;
}

export const cacheDisabled = (): boolean => process.env[cacheEnv.noCache] === "1";

/**
 * JSON with object keys sorted, so equal inputs hash equally whatever order their
 * fields were written in. Non-finite numbers have no JSON form and would come
 * back as null, so they are refused rather than silently changed.
 */
export function canonicalJson(value: unknown, where = "record"): string {
  if (value === null || typeof value === "string" || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`${where}: ${value} cannot be stored in a record (only finite numbers)`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v, i) => canonicalJson(v ?? null, `${where}[${i}]`)).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v, `${where}.${k}`)}`).join(",")}}`;
  }
  throw new Error(`${where}: a ${typeof value} cannot be stored in a record`);
}

/** A record as stored: JSON in the record's own field order, refusing what JSON would change (NaN, Infinity). */
export function recordJson(value: unknown, where: string): string {
  return JSON.stringify(value, function (this: unknown, k: string, v: unknown) {
    if (typeof v === "number" && !Number.isFinite(v)) throw new Error(`${where}: field ${k} is ${v}, which a record cannot store (only finite numbers)`);
    return v;
  });
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** sha256 of the inputs' canonical JSON: what an entry stores of its inputs. */
export function inputsHash(inputs: unknown): string {
  return sha256(canonicalJson(inputs, "inputs"));
}

/** What a record is a function of; stored in its entry and hashed into its key. */
export interface RecordProvenance {
  experiment: string;
  /** inputsHash() of the experiment's inputs. */
  inputs: string;
  /** modelCodeVersion() of the code that computes it. */
  code: string;
}

export function recordProvenance(experiment: string, inputs: unknown, code = modelCodeVersion()): RecordProvenance {
  return { experiment, inputs: inputsHash(inputs), code };
}

/** The key is the hash of the provenance, so an entry's stored provenance can be checked against its key. */
export function keyOf(p: RecordProvenance): string {
  return sha256(canonicalJson({ experiment: p.experiment, inputs: p.inputs, code: p.code }, "provenance"));
}

export function recordKey(experiment: string, inputs: unknown, code = modelCodeVersion()): string {
  return keyOf(recordProvenance(experiment, inputs, code));
}

export function entryPath(experiment: string, key: string): string {
  return path.join(cacheDir(), `${experiment}-${key.slice(0, 24)}.json`);
}

/** An entry file: the record and its provenance, which must match the key it is read under. */
export interface Entry<T> extends RecordProvenance {
  key: string;
  /** sha256 of the record's JSON (recordJson): an entry whose record does not hash to it was edited or damaged. */
  recordSha256: string;
  record: T;
}

export interface CacheEvent {
  experiment: string;
  key: string;
  computed: boolean;
  seconds: number;
}

/** In-process listeners (e.g. to say which records a command computed). */
export const cacheListeners = new Set<(e: CacheEvent) => void>();

function logEvent(e: CacheEvent): void {
  for (const l of cacheListeners) l(e);
  const file = process.env[cacheEnv.log];
  if (file) fs.appendFileSync(file, JSON.stringify(e) + "\n");
}

/**
 * The record of the entry in `file` if its stored provenance is the one asked
 * for: same experiment, inputs hash and code version, hashing to the same key.
 * A hash-prefix clash, an entry of other code, a hand-edited or damaged file is
 * a miss (recomputed), never a wrong record.
 */
function readEntry<T>(file: string, want: RecordProvenance, key: string): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  let e: Entry<T>;
  try {
    e = JSON.parse(text) as Entry<T>;
  } catch {
    return undefined;
  }
  if (typeof e !== "object" || e === null || !("record" in e)) return undefined;
  const matches = e.experiment === want.experiment && e.inputs === want.inputs && e.code === want.code && e.key === key && keyOf(e) === key;
  // JSON.stringify of the parsed record gives back the bytes it was hashed from, unless they were changed.
  return matches && typeof e.recordSha256 === "string" && sha256(JSON.stringify(e.record)) === e.recordSha256 ? e.record : undefined;
}

/**
 * The record of `experiment` on `inputs`: read from the cache, or computed and
 * stored. A computed record is returned as it will read back from the cache
 * (through JSON), so a cold run and a warm run hand out identical values.
 */
export async function cachedRecord<T>(experiment: string, inputs: unknown, compute: () => T | Promise<T>): Promise<T> {
  const provenance = recordProvenance(experiment, inputs);
  const key = keyOf(provenance);
  const file = entryPath(experiment, key);
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  if (!cacheDisabled()) {
    const hit = readEntry<T>(file, provenance, key);
    if (hit !== undefined) {
      logEvent({ experiment, key, computed: false, seconds: elapsed() });
      return hit;
    }
  }
  checkCacheWritable();
  const record = await compute();
  const recordText = recordJson(record, experiment);
  const entry: Omit<Entry<T>, "record"> = { ...provenance, key, recordSha256: sha256(recordText) };
  // The record's own text, byte for byte the one hashed.
  const text = `${recordJson(entry, experiment).slice(0, -1)},"record":${recordText}}`;
  try {
    writeFileAtomic(file, text + "\n");
  } catch (err) {
    throw cacheWriteError(path.dirname(file), err);
  }
  logEvent({ experiment, key, computed: true, seconds: elapsed() });
  return (JSON.parse(text) as Entry<T>).record;
}

/** Cache folders this process has probed (and may write). */
const writableDirs = new Set<string>();

/**
 * The cache folder can take an entry: probed with a real temp file (so a
 * read-only mount or folder is caught whatever access(2) says), once per folder
 * and process. Throws the one-line cacheWriteError. cachedRecord calls it
 * before computing its first record; commands call it before any work.
 */
export function checkCacheWritable(): void {
  const dir = cacheDir();
  if (writableDirs.has(dir)) return;
  try {
    probeWritableFile(path.join(dir, "entry.json"));
  } catch (err) {
    throw cacheWriteError(dir, err);
  }
  writableDirs.add(dir);
}

/** `cannot write the results cache DIR: EROFS (read-only file system; set MODBURST_CACHE_DIR to a writable folder)`, exit 1. */
function cacheWriteError(dir: string, err: unknown): UserError {
  let e = err as NodeJS.ErrnoException;
  // mkdir -p reports a read-only file system or a forbidden folder as ENOENT: ask the folder itself.
  if (e.code === "ENOENT") {
    try {
      probeWritableFile(path.join(dir, "entry.json"));
    } catch (probe) {
      e = probe as NodeJS.ErrnoException;
    }
  }
  const blocker = e.code === "ENOTDIR" || e.code === "EEXIST" ? fileInTheWay(dir) : null;
  const cause = blocker !== null ? `${blocker} is a file, not a folder; ` : e.code !== undefined && causes[e.code] ? `${causes[e.code]}; ` : "";
  return new UserError(`cannot write the results cache ${dir}: ${e.code ?? e.message} (${cause}set ${cacheEnv.dir} to a writable folder)`, 1);
}

const causes: Record<string, string> = {
  EROFS: "read-only file system",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
};

/** Read a cache log written under MODBURST_CACHE_LOG (missing file: nothing was asked). */
export function readCacheLog(file: string): CacheEvent[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as CacheEvent);
}

/** "3 records reused, 1 computed (sweep-cpus)" */
export function describeCacheLog(events: CacheEvent[]): string {
  const computed = events.filter((e) => e.computed);
  const reused = events.length - computed.length;
  if (events.length === 0) return "no records";
  const records = (n: number) => `${n} record${n === 1 ? "" : "s"}`;
  if (computed.length === 0) return `recomputed nothing (${records(reused)} reused)`;
  const names = [...new Set(computed.map((e) => e.experiment))].join(", ");
  return `${records(computed.length)} computed (${names}), ${reused} reused`;
}

/**
 * An experiment: a name, the inputs its record is a function of, and how to
 * compute it. Calling it returns the cached record; `key` says which record
 * those arguments would read, without computing anything (so a test can check
 * what a change of inputs invalidates).
 */
export interface Experiment<A extends unknown[], T> {
  (...args: A): Promise<T>;
  experiment: string;
  key(...args: A): string;
}

export function defineExperiment<A extends unknown[], T>(experiment: string, inputsOf: (...args: A) => unknown, compute: (...args: A) => T | Promise<T>): Experiment<A, T> {
  const run = (...args: A) => cachedRecord(experiment, inputsOf(...args), () => compute(...args));
  return Object.assign(run, { experiment, key: (...args: A) => recordKey(experiment, inputsOf(...args)) });
}
