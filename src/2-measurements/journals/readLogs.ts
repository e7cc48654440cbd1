/**
 * Every udev log given to `modburst measure`, read into one run: boots numbered
 * 1..N in the order given, their load attempts in an AttemptStore. The format is
 * recognised per file; boots are split by BootSplitter (boots.ts); every line
 * that mentions a module load is read or refused (or, with `lenient`, skipped
 * and counted); the same boot given twice is refused; the total input is capped
 * before anything is read, with the memory it may take.
 */
import * as fs from "fs";
import * as os from "os";
import { UserError } from "../../core/errors";
import type { LoadAttempt } from "./attempts";
import { outcomes, spanOutcomes } from "./attempts";
import { BootSink, BootSplitter, logLineError } from "./boots";
import { DebugLogParser } from "./debugLog";
import { JournalJsonParser } from "./journalJson";
import { JournalTextParser } from "./journalText";
import { byteOrderMark, forEachLine, maxLineBytes } from "./lines";
import { errnoOf, ParsedMessage } from "./messages";
import type { LineParser, ParseContext } from "./parse";
import { AttemptStore } from "./store";

export const logFormats = ["short-precise", "json", "debug"] as const;
export type LogFormat = (typeof logFormats)[number];

/** Default of --max-input-mb: the total size of the logs of one run, MiB. */
export const defaultMaxInputMb = 1024;

/**
 * Two attempts of one module in one boot further apart than this are refused:
 * udevd kills a worker whose event takes longer (event_timeout, 180 s by
 * default), so inside one boot's burst no module waits that long between two
 * attempts; a longer gap is two boots joined, or a late hot-plug or resume
 * whose attempt would stretch the span by the gap.
 */
export const maxAttemptGapSeconds = 180;

/**
 * Memory a run may take, bytes per byte of log, in the worst case: a log of
 * nothing but the shortest load lines (`[1.000003] Inserted 'a'`, 25 bytes),
 * each kept in the store (21 bytes), put in time order (4) and written to the
 * events CSV (~25). Measured on node 20: 1000 MiB of such lines peaked at 2.07
 * GiB resident (README "measure"). Most of it is typed arrays and the events
 * buffer, outside V8's heap, so the bound is the machine's memory. Real logs are
 * mostly other udevd lines and take far less.
 */
const bytesPerInputByte = 2.2;
const baseBytes = 96 * 2 ** 20;

/** The most memory reading `inputBytes` of logs may take (the estimate stated before reading). */
export function estimateMemoryBytes(inputBytes: number): number {
  return Math.ceil(baseBytes + bytesPerInputByte * inputBytes);
}

/** Inputs above this size get a line with the estimate before they are read. */
export const announceInputBytes = 64 * 2 ** 20;

/** The format of a file from its first entry (journalctl's `-- ... --` lines and blank lines skipped); null before one. */
function formatOf(text: string): LogFormat | null {
  if (text.trim() === "" || text.startsWith("-- ")) return null;
  if (text.trimStart().startsWith("{")) return "json";
  if (/^\[\s*\d+\.\d+\]/.test(text)) return "debug";
  return "short-precise";
}

const parsers: Record<LogFormat, new (ctx: ParseContext) => LineParser> = {
  "short-precise": JournalTextParser,
  json: JournalJsonParser,
  debug: DebugLogParser,
};

/** One boot of the run: where it is, its clock's origin, its attempts (a range of the store). */
export interface RunBoot {
  file: string;
  /** The file's line of the boot's first systemd-udevd line (notes name it). */
  firstLine: number;
  /** Earliest clock reading of the boot's systemd-udevd lines, microseconds; the origin of its times. */
  originUs: number;
  /** Its attempts: store indices start..end-1, in the order logged. */
  start: number;
  end: number;
  /** Its boot id (json _BOOT_ID, a `-- Boot <id> --` line), else null. */
  id: string | null;
  /** Its times are a wall clock (short-precise): absolute, comparable across files. */
  wallClock: boolean;
  /** 1..N in input order; 0 for a boot without load lines (not numbered). */
  number: number;
  h1: number;
  h2: number;
}

export interface LogRun {
  store: AttemptStore;
  /** The numbered boots, 1..N in order. */
  boots: RunBoot[];
  /** Per file: its format and how many boots it gave. */
  files: Array<{ file: string; format: LogFormat; boots: number }>;
  /** Lines skipped by --lenient: how many, and the first as `FILE:LINE: what is wrong`. */
  skipped: { lines: number; first: string | null };
  inputBytes: number;
}

export interface ReadLogsOptions {
  /** Skip (and count) lines that mention a module load but cannot be read, instead of refusing the run. */
  lenient?: boolean;
  /** Cap on the logs' total size; default defaultMaxInputMb. */
  maxInputBytes?: number;
  /** How the cap is named in the message (default --max-input-mb). */
  capFlag?: string;
  /** Gets one line with the size and the memory estimate before a big input (over announceInputBytes) is read. */
  announce?: (line: string) => void;
}

const mib = (bytes: number) => `${Number.isInteger(bytes / 2 ** 20) ? bytes / 2 ** 20 : (bytes / 2 ** 20).toFixed(1)} MiB`;
const gib = (bytes: number) => (bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : mib(bytes));

const mix1 = (h: number, x: number) => Math.imul(h ^ x, 0x01000193) >>> 0;
const mix2 = (h: number, x: number) => Math.imul((h ^ x) + 0x9e3779b9, 0x5bd1e995) >>> 0;

/** Boots of every file, checked for repeats, with their attempts in the store. */
class Collector implements BootSink {
  readonly store = new AttemptStore();
  readonly numbered: RunBoot[] = [];
  private cur: RunBoot | null = null;
  private fileBoots = 0;
  private readonly byId = new Map<string, RunBoot>();
  private readonly byContent = new Map<string, RunBoot>();
  private readonly byStart = new Map<string, RunBoot>();

  constructor(private readonly note: (line: string) => void) {}

  startFile(): void {
    this.fileBoots = 0;
  }
  bootsOfFile(): number {
    return this.fileBoots;
  }

  open(file: string, firstLine: number, timeUs: number, id: string | null, wallClock: boolean): void {
    const at = this.store.length;
    this.cur = { file, firstLine, originUs: timeUs, start: at, end: at, id, wallClock, number: 0, h1: 0x811c9dc5, h2: 0x2545f491 };
  }

  udevTime(timeUs: number): void {
    const b = this.cur!;
    if (timeUs < b.originUs) b.originUs = timeUs;
  }

  attempt(line: number, timeUs: number, m: ParsedMessage): void {
    const b = this.cur!;
    this.store.push(timeUs, m.module, m.outcome, m.errnoText, line);
    const i = this.store.length - 1;
    const lo = timeUs % 4294967296;
    const hi = Math.floor(timeUs / 4294967296);
    const tag = (this.store.moduleIndex(i) * 8 + outcomes.indexOf(m.outcome)) ^ (this.store.textIndex(i) << 20);
    b.h1 = mix1(mix1(mix1(b.h1, lo), hi), tag);
    b.h2 = mix2(mix2(mix2(b.h2, lo), hi), tag);
  }

  close(): void {
    const b = this.cur!;
    this.cur = null;
    b.end = this.store.length;
    const n = b.end - b.start;
    if (b.id !== null) {
      const prev = this.byId.get(b.id);
      if (prev) throw this.repeat(b, prev, `boot id ${b.id}`);
      this.byId.set(b.id, b);
    }
    if (n === 0) {
      this.note(`${b.file}:${b.firstLine}: a boot with systemd-udevd lines but no module load lines; not numbered`);
      return;
    }
    const content = `${b.h1}:${b.h2}:${n}`;
    const same = this.byContent.get(content);
    if (same && this.identical(same, b)) throw this.repeat(b, same, `the same ${n} load line${n === 1 ? "" : "s"} to the microsecond`);
    this.byContent.set(content, b);
    if (b.wallClock) {
      // A capture taken during the burst holds the start of the boot a later capture holds whole: same first udevd line, same first load line.
      const s = this.store;
      const start = `${b.originUs}:${s.timeUs(b.start)}:${s.moduleIndex(b.start)}:${s.outcome(b.start)}`;
      const prev = this.byStart.get(start);
      if (prev) throw this.repeat(b, prev, "the same first udevd line and first load line, to the microsecond: one capture holds part of the other");
      this.byStart.set(start, b);
    }
    b.number = this.numbered.length + 1;
    this.numbered.push(b);
    this.fileBoots++;
  }

  private identical(a: RunBoot, b: RunBoot): boolean {
    const s = this.store;
    if (a.end - a.start !== b.end - b.start) return false;
    for (let i = 0; i < a.end - a.start; i++) {
      const x = a.start + i;
      const y = b.start + i;
      if (s.timeUs(x) !== s.timeUs(y) || s.moduleIndex(x) !== s.moduleIndex(y) || s.outcome(x) !== s.outcome(y) || s.textIndex(x) !== s.textIndex(y)) return false;
    }
    return true;
  }

  private repeat(b: RunBoot, prev: RunBoot, why: string): UserError {
    return new UserError(`invalid ${b.file}:${b.firstLine}: the same boot as ${prev.file}:${prev.firstLine} (${why}) (allowed each boot once: the same file or capture given twice?)`);
  }
}

interface OpenLog {
  file: string;
  fd: number;
  sizeBytes: number;
}

/**
 * Open every log before reading any: each a regular file, none given twice (by
 * device and inode, whatever the spelling), the total within the cap and the
 * memory it may take within the machine's. Every refusal names the total and
 * the estimate; a big input is announced with them before it is read.
 */
function openLogs(files: string[], maxInputBytes: number, capFlag: string, announce: (line: string) => void): OpenLog[] {
  const opened: OpenLog[] = [];
  const seen = new Map<string, string>();
  try {
    for (const file of files) {
      let fd: number;
      try {
        fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
      } catch (err) {
        throw new UserError(`invalid log file: ${file}: ${(err as NodeJS.ErrnoException).code ?? "unreadable"} (allowed: a readable file)`);
      }
      opened.push({ file, fd, sizeBytes: 0 });
      const st = fs.fstatSync(fd);
      if (!st.isFile()) throw new UserError(`invalid log file: ${file}: not a regular file (allowed: a regular file; save a pipe's output to a file first)`);
      const key = `${st.dev}:${st.ino}`;
      const twin = seen.get(key);
      if (twin !== undefined) throw new UserError(`invalid LOG: ${file} is the same file as ${twin} (allowed each log once)`);
      seen.set(key, file);
      opened[opened.length - 1].sizeBytes = st.size;
    }
    const total = opened.reduce((s, o) => s + o.sizeBytes, 0);
    const memory = estimateMemoryBytes(total);
    const what = `${mib(total)} in ${files.length} file${files.length === 1 ? "" : "s"}, up to ${gib(memory)} of memory to read`;
    if (total > maxInputBytes) throw new UserError(`invalid LOG: ${what} (allowed at most ${mib(maxInputBytes)} in all; ${capFlag} N raises the cap)`);
    if (memory > os.totalmem()) throw new UserError(`invalid LOG: ${what}, more than this machine's ${gib(os.totalmem())} (allowed: fewer or smaller logs per run)`);
    if (total > announceInputBytes) announce(`reading ${what}`);
    return opened;
  } catch (err) {
    for (const o of opened) fs.closeSync(o.fd);
    throw err;
  }
}

/** Refuse two attempts of one module in one boot more than maxAttemptGapSeconds apart (maxAttemptGapSeconds says why). */
function checkGaps(store: AttemptStore, boots: readonly RunBoot[]): void {
  for (const b of boots) {
    const last = new Map<number, number>();
    for (const i of store.sortedRange(b.start, b.end)) {
      if (!spanOutcomes.includes(store.outcome(i))) continue;
      const m = store.moduleIndex(i);
      const prev = last.get(m);
      if (prev !== undefined && store.timeUs(i) - store.timeUs(prev) > maxAttemptGapSeconds * 1e6) {
        const gapS = ((store.timeUs(i) - store.timeUs(prev)) / 1e6).toFixed(3);
        throw logLineError(
          b.file,
          store.line(i),
          `${store.module(i)} is attempted ${gapS} s after its attempt on line ${store.line(prev)}, in one boot: two boots joined without a boundary, or a late hot-plug or resume that would stretch its span`,
          `at most ${maxAttemptGapSeconds} s between two attempts of a module in one boot (udevd's event timeout): mark the boots apart with a "-- Boot <id> --" line, or cut the log before this line (journalctl --until)`,
        );
      }
      last.set(m, i);
    }
  }
}

/** Read the logs into one run; `note` gets one line per thing left out (a cut last line, a boot without load lines, a byte-order mark). */
export function readLogRun(files: string[], note: (line: string) => void, options: ReadLogsOptions = {}): LogRun {
  const maxInputBytes = options.maxInputBytes ?? defaultMaxInputMb * 2 ** 20;
  const opened = openLogs(files, maxInputBytes, options.capFlag ?? "--max-input-mb", options.announce ?? (() => {}));
  const collector = new Collector(note);
  const summary: LogRun["files"] = [];
  const skipped: LogRun["skipped"] = { lines: 0, first: null };
  try {
    for (const { file, fd, sizeBytes } of opened) {
      const bom = byteOrderMark(fd);
      if (bom === "utf16le" || bom === "utf16be") {
        throw logLineError(file, 1, `a UTF-16 byte-order mark (bytes ${bom === "utf16le" ? "FF FE" : "FE FF"}): the file is UTF-16, as PowerShell's > writes it`, `UTF-8, as journalctl writes it: iconv -f UTF-16 -t UTF-8 ${file} > udev.log`);
      }
      if (bom === "utf8") note(`${file}:1: starts with a UTF-8 byte-order mark (bytes EF BB BF, an editor's); skipped`);
      const splitter = new BootSplitter(file, collector);
      const ctx: ParseContext = {
        file,
        splitter,
        problem: (line, what, allowed) => {
          if (!options.lenient) throw logLineError(file, line, what, allowed);
          skipped.lines++;
          skipped.first ??= `${file}:${line}: ${what}`;
        },
      };
      collector.startFile();
      // Lines before the first entry (journalctl's notes, blank lines) wait until it says which format the file is.
      let parser: LineParser | null = null;
      let format: LogFormat = "short-precise";
      const waiting: Array<[number, string]> = [];
      const onLine = (line: number, text: string) => {
        if (parser) return parser.line(line, text);
        const f = formatOf(text);
        if (f === null) {
          waiting.push([line, text]);
          return;
        }
        format = f;
        parser = new parsers[f](ctx);
        for (const [l, t] of waiting) parser.line(l, t);
        waiting.length = 0;
        parser.line(line, text);
      };
      const onLongLine = (line: number, bytes: number) =>
        ctx.problem(line, `a line of ${bytes} bytes, not read (a corrupt file, or not a log?)`, `lines of at most ${maxLineBytes} bytes: journald cuts a line at 48 KiB`);
      const { cutLine } = forEachLine(fd, sizeBytes, bom === "utf8" ? 3 : 0, onLine, onLongLine);
      if (!parser) parser = new parsers[format](ctx);
      for (const [l, t] of waiting) (parser as LineParser).line(l, t);
      splitter.end();
      if (cutLine) note(`${file}:${cutLine.line}: the last line has no newline (cut off?); ignored`);
      if (collector.bootsOfFile() === 0) {
        throw new UserError(
          `invalid ${file}: no module load lines (allowed a systemd-udevd log with "Inserted module", "Module ... is already loaded" or "Failed to insert module" lines; they are debug messages: boot with udev.log_level=debug)`,
        );
      }
      summary.push({ file, format, boots: collector.bootsOfFile() });
    }
  } finally {
    for (const o of opened) fs.closeSync(o.fd);
  }
  checkGaps(collector.store, collector.numbered);
  return { store: collector.store, boots: collector.numbered, files: summary, skipped, inputBytes: opened.reduce((s, o) => s + o.sizeBytes, 0) };
}

/** A run's attempts as objects, boots 1..N, each boot's in time order (ties: the order logged); times in seconds since the boot's first udevd line. */
export function attemptsOf(run: LogRun): LoadAttempt[] {
  const out: LoadAttempt[] = [];
  for (const b of run.boots) {
    for (const i of run.store.sortedRange(b.start, b.end)) {
      out.push({ boot: b.number, timeSeconds: (run.store.timeUs(i) - b.originUs) / 1e6, module: run.store.module(i), outcome: run.store.outcome(i), errno: errnoOf(run.store.errnoText(i)), errnoText: run.store.errnoText(i) });
    }
  }
  return out;
}

export interface ReadLogsResult {
  attempts: LoadAttempt[];
  boots: number;
  /** Per file: its format and how many boots it gave. */
  files: Array<{ file: string; format: LogFormat; boots: number }>;
}

/** Parse the logs (readLogRun) into attempt objects: for a library user and tests; `modburst measure` keeps the compact run. */
export function readUdevLogs(files: string[], note: (line: string) => void, options: ReadLogsOptions = {}): ReadLogsResult {
  const run = readLogRun(files, note, options);
  return { attempts: attemptsOf(run), boots: run.boots.length, files: run.files };
}
