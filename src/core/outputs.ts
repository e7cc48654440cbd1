/**
 * One write path for every output file the kit writes.
 *
 * API (stable; only added to):
 * - `stdoutPath` ("-"), `isStdout(p)`: `--out -` means standard output.
 * - `checkOutputs(command, outputs, inputs)`: before any long work, refuse
 *   (UserError, one line) an output that is one of the command's inputs or
 *   another of its outputs (same file by dev/inode or real path, whatever the
 *   spelling: symlinks, `./`, hard links), one that is not a new path, a regular
 *   file or a writable character device, two outputs to stdout, and an output
 *   whose folder cannot be written (probed with a real temp file).
 * - `writeAll(files)`: a command's several outputs as a unit, all replaced or
 *   none: each regular file is written to a temp file beside it (every write's
 *   byte count checked, short writes continued), fsynced, and only when all are
 *   complete, device and stdout outputs are written through and the temp files
 *   renamed into place. On any failure the temp files are removed and every old
 *   file is byte-identical.
 * - `writeOutput(path, data)`: writeAll of one file.
 * - `StreamedOutput`: a big output written as it is produced (a sweep CSV):
 *   the same checks, a temp file renamed into place by commit(); abort() removes
 *   the temp file and leaves the old file as it was.
 * - `writeStdout(data)`: all of `data` to fd 1; a closed pipe throws StdoutClosed.
 * - `StdoutClosed`: the reader of stdout went away (EPIPE). runMain ends the
 *   process quietly with exit 141 (128 + SIGPIPE, what `cat` or `yes` give in a
 *   shell when `| head` stops reading), no message and no stack.
 * - `removeStaleTempFiles(target)`: remove the temp files of `target` left by
 *   runs that no longer exist (a SIGKILLed sweep); every write does this first.
 * - `checkWritableFile(path)`: checkOutputs of one output with no inputs.
 * - `probeWritableFile(path)`: its probe, throwing the system's error as it is.
 * - `inputsOf({"--params": values.params, ...})`: the flags naming input files.
 * - `writeError(path, err)`: an errno error as one line `cannot write PATH:
 *   CODE (cause)`, a WriteError (a UserError, exit 1, with the errno `code`).
 * - `writeFully(fd, bytes)`, `tempFileFor(target)`, `writeTarget(path)`,
 *   `existingDirFor(dir)`, `fileInTheWay(path)`: the pieces, for atomicDir.ts,
 *   fsutil.ts and the notebook runner.
 *
 * Decisions, documented in README "Outputs":
 * - A symlinked output is written THROUGH: the file the link points at is
 *   replaced (atomically, beside it) and the link stays a link. A dangling link
 *   creates its target, as a shell's `>` does.
 * - A character device (/dev/null, /dev/full, a tty) is written through, never
 *   replaced by a regular file, as root too. A write to it cannot be atomic; its
 *   errors (ENOSPC on /dev/full) are reported like any other.
 * - A FIFO, socket, block device or folder is refused.
 * - Missing folders above a new output are created (mkdir -p), so the probe is
 *   of the nearest existing folder.
 * - Temp files are `.NAME.tmp-PID-N` beside NAME (gitignored by `*.tmp-*`);
 *   those of a dead PID are removed by the next write to NAME.
 * - I/O errors are one line `cannot write PATH: CODE (cause)`, exit 1
 *   (fsutil.writeError); wrong outputs are `invalid FLAG: ...`, exit 2.
 */
import * as fs from "fs";
import * as path from "path";
import { UserError } from "./errors";

export const stdoutPath = "-";
export const isStdout = (p: string): boolean => p === stdoutPath;

/** An output or input of a command: the flag it came from (`--out`, `LOG`) and the path as the user gave it. */
export interface NamedPath {
  flag: string;
  path: string;
}

/** The flags naming input files, as NamedPaths: unset or empty flags are skipped (a --scenario NAME that is no file is skipped by checkOutputs). */
export function inputsOf(flags: Record<string, unknown>): NamedPath[] {
  return Object.entries(flags).flatMap(([flag, v]) => (typeof v === "string" && v !== "" ? [{ flag, path: v }] : []));
}

/** One output of writeAll. */
export interface OutputFile {
  path: string;
  data: string | Uint8Array;
}

/** The reader of stdout went away (EPIPE): not an error of the user or the kit. */
export class StdoutClosed extends Error {
  constructor() {
    super("stdout closed (EPIPE)");
    this.name = "StdoutClosed";
  }
}

/** Exit code after StdoutClosed: 128 + SIGPIPE, as a Unix tool killed by SIGPIPE gives in a shell. */
export const stdoutClosedExitCode = 141;

// ---------------------------------------------------------------- errors

/** An I/O error on an output: one line for the user, exit 1, with the errno code for callers that word their own message. */
export class WriteError extends UserError {
  constructor(readonly file: string, readonly code: string, readonly why: string) {
    super(`cannot write ${file}: ${code} (${why})`, 1);
  }

  /** The same error reported under another path (a file in a temp folder stands for one in the real folder). */
  at(file: string): WriteError {
    return new WriteError(file, this.code, this.why);
  }
}

const causes: Record<string, string> = {
  EISDIR: "is a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "file too large",
  EIO: "input/output error",
  ELOOP: "too many levels of symbolic links",
  ENOTDIR: "a parent is not a directory",
  ENOENT: "no such file or directory",
  ENAMETOOLONG: "name too long",
  EEXIST: "exists",
};

/**
 * An I/O error on writing `file` as one line for the user (exit 1): the path and
 * the cause code. ENOTDIR names the file in the way (`--out README.md` for a
 * folder: README.md itself; `--out README.md/x.csv`: README.md), as the user gave
 * the path (relative stays relative). An error without an errno code is a bug
 * and is thrown as it is.
 */
export function writeError(file: string, err: unknown): WriteError {
  if (err instanceof WriteError) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  if (typeof code !== "string") throw err;
  const blocker = code === "ENOTDIR" ? fileInTheWay(file) : null;
  const cause = blocker !== null ? `${blocker} is a file, not a folder` : causes[code] ?? (err as Error).message;
  return new WriteError(file, code, cause);
}

/** The nearest existing path at or above `p` when it is not a folder (where a write that needs folders fails), else null. */
export function fileInTheWay(p: string): string | null {
  let d = path.resolve(p);
  for (;;) {
    let st: fs.Stats | null = null;
    try {
      st = fs.statSync(d);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "ENOENT" && code !== "ENOTDIR") return null;
    }
    if (st) return st.isDirectory() ? null : path.isAbsolute(p) ? d : path.relative(process.cwd(), d) || d;
    const up = path.dirname(d);
    if (up === d) return null;
    d = up;
  }
}

// ---------------------------------------------------------------- resolving

/** Where a write to `p` lands: symlinks followed (also dangling ones: their target is created). */
export function writeTarget(p: string): string {
  let cur = path.resolve(p);
  for (let hops = 0; hops < 40; hops++) {
    try {
      return fs.realpathSync(cur);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== "ENOENT") throw err;
    }
    let link: string | null = null;
    try {
      if (fs.lstatSync(cur).isSymbolicLink()) link = fs.readlinkSync(cur);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT" && (err as NodeJS.ErrnoException).code !== "ENOTDIR") throw err;
    }
    if (link === null) {
      // A new path: its folder's real path (when it exists) and its name.
      const dir = path.dirname(cur);
      let realDir = dir;
      try {
        realDir = fs.realpathSync(dir);
      } catch {
        // mkdir -p creates it; compare by the resolved spelling.
      }
      return path.join(realDir, path.basename(cur));
    }
    cur = path.resolve(path.dirname(cur), link);
  }
  throw Object.assign(new Error("too many levels of symbolic links"), { code: "ELOOP" });
}

/** The file's stat, or null when it does not exist (any other error is thrown). */
export function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    throw err;
  }
}

/** What a write to an existing or new path does. */
type Kind = "new" | "file" | "device";

function kindOf(file: string, st: fs.Stats | null, flag: string): Kind {
  if (st === null) return "new";
  if (st.isFile()) return "file";
  if (st.isCharacterDevice()) return "device";
  if (st.isDirectory()) throw writeError(file, Object.assign(new Error("is a directory"), { code: "EISDIR" }));
  const what = st.isFIFO() ? "a FIFO" : st.isSocket() ? "a socket" : st.isBlockDevice() ? "a block device" : "not a regular file";
  throw new UserError(`invalid ${flag.replace(/^--/, "")}: ${file} is ${what} (allowed: a new path, a regular file, a writable character device such as /dev/null, or - for stdout)`);
}

/** The nearest existing folder at or above `dir` (where mkdir -p starts); a file in the way is ENOTDIR. */
export function existingDirFor(dir: string): string {
  let d = dir;
  let st = statOrNull(d);
  while (st === null && path.dirname(d) !== d) {
    d = path.dirname(d);
    st = statOrNull(d);
  }
  if (st && !st.isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
  return d;
}

/** Identity of a file for "same file" checks: device and inode when it exists, else its resolved path. */
function identity(p: string): { key: string; st: fs.Stats | null } | null {
  let target: string;
  try {
    target = writeTarget(p);
  } catch {
    return null;
  }
  let st: fs.Stats | null = null;
  try {
    st = fs.statSync(target);
  } catch {
    st = null;
  }
  return { key: st ? `ino:${st.dev}:${st.ino}` : `path:${target}`, st };
}

const bare = (flag: string) => flag.replace(/^--/, "");
const shown = (flag: string) => (/^[A-Z]/.test(flag) ? flag : flag.startsWith("--") ? flag : `--${flag}`);

// ---------------------------------------------------------------- checking

/**
 * Refuse, before any long work, outputs that would clobber an input or each
 * other, outputs of the wrong kind and outputs that cannot be written. Inputs
 * that do not exist are skipped (reading them reports that). Character devices
 * are never "the same file" as anything: writing through them destroys nothing.
 */
export function checkOutputs(command: string, outputs: NamedPath[], inputs: NamedPath[] = []): void {
  const seen: Array<{ o: NamedPath; key: string }> = [];
  const toStdout = outputs.filter((o) => isStdout(o.path));
  if (toStdout.length > 1) {
    throw new UserError(`invalid ${bare(toStdout[1].flag)}: - (allowed: one output to stdout; ${shown(toStdout[0].flag)} already writes there)`);
  }
  const inputIds = inputs
    .filter((i) => !isStdout(i.path))
    .map((i) => ({ i, id: identity(i.path) }))
    .filter((x) => x.id !== null && x.id.st !== null && !x.id.st.isCharacterDevice());
  for (const o of outputs) {
    if (isStdout(o.path)) continue;
    if (o.path === "") throw new UserError(`invalid ${bare(o.flag)}: "" (allowed: a file path, or - for stdout)`);
    let target: string;
    let st: fs.Stats | null;
    try {
      target = writeTarget(o.path);
      st = statOrNull(target);
    } catch (err) {
      throw writeError(o.path, err);
    }
    const kind = kindOf(o.path, st, o.flag);
    if (kind !== "device") {
      const key = st ? `ino:${st.dev}:${st.ino}` : `path:${target}`;
      for (const { i, id } of inputIds) {
        if (id!.key === key) {
          throw new UserError(`invalid ${bare(o.flag)}: ${o.path} is the same file as ${shown(i.flag)} ${i.path} (allowed: an output that is not an input of ${command})`);
        }
      }
      const twin = seen.find((s) => s.key === key);
      if (twin) {
        throw new UserError(`invalid ${bare(o.flag)}: ${o.path} is the same file as ${shown(twin.o.flag)} ${twin.o.path} (allowed: a different file for each output of ${command})`);
      }
      seen.push({ o, key });
    }
    probeWritable(o.path, target, kind);
  }
}

/** checkOutputs of one output (`--out`) with no inputs to compare with. */
export function checkWritableFile(file: string, flag = "--out"): void {
  checkOutputs("modburst", [{ flag, path: file }]);
}

/** A real probe: a temp file in the target's folder (or its nearest existing ancestor); a device must be open for writing. */
function probeWritable(userPath: string, target: string, kind: Kind): void {
  try {
    if (kind === "device") fs.accessSync(target, fs.constants.W_OK);
    else probeFolderOf(target);
  } catch (err) {
    throw writeError(userPath, err);
  }
}

function probeFolderOf(target: string): void {
  const dir = existingDirFor(path.dirname(target));
  const probe = path.join(dir, `.${path.basename(target)}.tmp-${process.pid}-probe${++counter}`);
  fs.closeSync(fs.openSync(probe, "wx"));
  fs.rmSync(probe, { force: true });
}

/**
 * checkWritableFile's probe with the system's error as it is (EISDIR, ENOTDIR,
 * EACCES, EROFS), for a caller with its own message (the results cache). Node's
 * mkdir -p says ENOENT on a read-only file system; a probe says EROFS.
 */
export function probeWritableFile(file: string): void {
  const target = writeTarget(file);
  const st = statOrNull(target);
  if (st?.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
  if (st?.isCharacterDevice()) fs.accessSync(target, fs.constants.W_OK);
  else probeFolderOf(target);
}

// ---------------------------------------------------------------- temp files

let counter = 0;

const tempPrefix = (target: string) => `.${path.basename(target)}.tmp-`;

/** A fresh temp path beside `target` (same folder, so rename(2) is atomic), named after this process. */
export function tempFileFor(target: string): string {
  return path.join(path.dirname(target), `${tempPrefix(target)}${process.pid}-${++counter}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Remove the temp files (and temp folders) of `target` left by processes that
 * no longer exist. Those of live processes (a concurrent run) are kept; a
 * reused PID only keeps a stale temp longer. Returns the names removed.
 */
export function removeStaleTempFiles(target: string): string[] {
  const dir = path.dirname(target);
  const prefix = tempPrefix(target);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(prefix.length))?.[1]);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) continue;
    try {
      fs.rmSync(path.join(dir, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Not ours to insist on: the write itself reports a folder it cannot use.
    }
  }
  return removed;
}

// ---------------------------------------------------------------- checked writes

const sleepBuffer = new Int32Array(new SharedArrayBuffer(4));

/**
 * Every byte of `data` to `fd`: the count fs.writeSync returns is checked and a
 * short write continued; EAGAIN (a non-blocking pipe that is full) waits a
 * millisecond and retries. A write that makes no progress is EIO.
 */
export function writeFully(fd: number, data: Uint8Array): void {
  let off = 0;
  let stalled = 0;
  while (off < data.length) {
    let n: number;
    try {
      n = fs.writeSync(fd, data, off, data.length - off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EAGAIN") {
        Atomics.wait(sleepBuffer, 0, 0, 1);
        continue;
      }
      throw err;
    }
    if (n <= 0) {
      if (++stalled > 100) throw Object.assign(new Error("write made no progress"), { code: "EIO" });
      continue;
    }
    stalled = 0;
    off += n;
  }
}

const bytesOf = (data: string | Uint8Array): Uint8Array => (typeof data === "string" ? Buffer.from(data, "utf8") : data);

/** All of `data` to stdout (fd 1); a closed pipe throws StdoutClosed, other errors a writeError naming stdout. */
export function writeStdout(data: string | Uint8Array): void {
  try {
    writeFully(1, bytesOf(data));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EPIPE") throw new StdoutClosed();
    throw writeError("stdout", err);
  }
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some file systems cannot fsync a folder; the rename is still atomic.
  }
}

/** A new temp file beside `target`, with the old file's mode (a replaced file keeps its permissions). */
function openTemp(target: string, old: fs.Stats | null): { tmp: string; fd: number } {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  removeStaleTempFiles(target);
  const tmp = tempFileFor(target);
  const fd = fs.openSync(tmp, "wx", old ? old.mode & 0o7777 : 0o666);
  if (old) {
    try {
      fs.fchmodSync(fd, old.mode & 0o7777);
    } catch {
      // Not the owner: the new file gets the default mode.
    }
  }
  return { tmp, fd };
}

interface Prepared {
  user: string;
  target: string;
  kind: Kind | "stdout";
  tmp?: string;
  bytes: Uint8Array;
}

/**
 * Write several outputs as a unit: all replaced, or none. Regular files go to
 * temp files first (checked writes, fsync); then device and stdout outputs are
 * written through; then the temp files are renamed into place, each old file
 * first hard-linked aside so that a failed rename puts every replaced file back.
 * I/O errors are writeError (exit 1) naming the output as the user gave it;
 * StdoutClosed passes through (runMain ends quietly).
 */
export function writeAll(files: OutputFile[]): void {
  const prepared: Prepared[] = [];
  const cleanup = () => {
    for (const p of prepared) if (p.tmp) fs.rmSync(p.tmp, { force: true });
  };
  try {
    for (const f of files) {
      const bytes = bytesOf(f.data);
      if (isStdout(f.path)) {
        prepared.push({ user: f.path, target: f.path, kind: "stdout", bytes });
        continue;
      }
      let target = f.path;
      try {
        target = writeTarget(f.path);
        const st = statOrNull(target);
        const kind = kindOf(f.path, st, "out");
        const p: Prepared = { user: f.path, target, kind, bytes };
        prepared.push(p);
        if (kind === "device") continue;
        const { tmp, fd } = openTemp(target, st);
        p.tmp = tmp;
        try {
          writeFully(fd, bytes);
          fs.fsyncSync(fd);
        } finally {
          fs.closeSync(fd);
        }
      } catch (err) {
        if (err instanceof UserError) throw err;
        throw writeError(f.path, err);
      }
    }
    for (const p of prepared) {
      if (p.kind === "stdout") writeStdout(p.bytes);
      else if (p.kind === "device") writeThrough(p.user, p.target, p.bytes);
    }
    renameAll(prepared.filter((p) => p.tmp !== undefined));
  } catch (err) {
    cleanup();
    throw err;
  }
}

/** writeAll of one output. */
export function writeOutput(file: string, data: string | Uint8Array): void {
  writeAll([{ path: file, data }]);
}

/** A device output: opened for writing (never created or replaced), every byte checked. */
function writeThrough(user: string, target: string, bytes: Uint8Array): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(target, fs.constants.O_WRONLY | fs.constants.O_APPEND);
    writeFully(fd, bytes);
  } catch (err) {
    throw writeError(user, err);
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/** Rename every temp into place; if one fails, put back the files already replaced. */
function renameAll(list: Prepared[]): void {
  if (list.length === 1) {
    const p = list[0];
    try {
      fs.renameSync(p.tmp!, p.target);
    } catch (err) {
      throw writeError(p.user, err);
    }
    fsyncDir(path.dirname(p.target));
    return;
  }
  const backups: Array<{ p: Prepared; aside: string | null }> = [];
  for (const p of list) {
    let aside: string | null = tempFileFor(p.target) + "-old";
    try {
      fs.linkSync(p.target, aside);
    } catch {
      aside = null; // a new file (nothing to keep) or a file system without hard links
    }
    backups.push({ p, aside });
  }
  const done: Array<{ p: Prepared; aside: string | null }> = [];
  try {
    for (const b of backups) {
      try {
        fs.renameSync(b.p.tmp!, b.p.target);
      } catch (err) {
        throw writeError(b.p.user, err);
      }
      done.push(b);
    }
  } catch (err) {
    for (const b of done) {
      try {
        if (b.aside) fs.renameSync(b.aside, b.p.target);
        else fs.rmSync(b.p.target, { force: true });
      } catch {
        // Best effort: the error below names the output that failed.
      }
    }
    for (const b of backups) if (b.aside) fs.rmSync(b.aside, { force: true });
    throw err;
  }
  for (const b of backups) if (b.aside) fs.rmSync(b.aside, { force: true });
  for (const dir of new Set(list.map((p) => path.dirname(p.target)))) fsyncDir(dir);
}

// ---------------------------------------------------------------- streamed

/**
 * A big output written as it is produced: to a temp file beside the target
 * (renamed into place by commit()), or written through to a device or stdout.
 * Writes are buffered to about a megabyte and every byte count is checked. Any
 * I/O error is a writeError naming the output (the temp file is removed first);
 * abort() removes the temp file and never throws. The old file is untouched
 * until commit() renames the complete new one over it.
 */
export class StreamedOutput {
  readonly target: string;
  private readonly kind: Kind | "stdout";
  private tmp: string | null = null;
  private fd: number | null = null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private closed = false;
  /** Bytes handed to write() so far. */
  bytes = 0;

  constructor(readonly file: string, private readonly chunkBytes = 1 << 20) {
    if (isStdout(file)) {
      this.target = file;
      this.kind = "stdout";
      this.fd = 1;
      return;
    }
    let target = file;
    try {
      target = writeTarget(file);
      const st = statOrNull(target);
      this.kind = kindOf(file, st, "out");
      if (this.kind === "device") {
        this.fd = fs.openSync(target, fs.constants.O_WRONLY | fs.constants.O_APPEND);
      } else {
        const t = openTemp(target, st);
        this.tmp = t.tmp;
        this.fd = t.fd;
      }
    } catch (err) {
      this.abort();
      if (err instanceof UserError) throw err;
      throw writeError(file, err);
    }
    this.target = target;
  }

  write(data: string | Uint8Array): void {
    if (this.closed) throw new Error(`StreamedOutput ${this.file}: write after commit or abort`);
    const b = Buffer.from(bytesOf(data));
    this.pending.push(b);
    this.pendingBytes += b.length;
    this.bytes += b.length;
    if (this.pendingBytes >= this.chunkBytes) this.flush();
  }

  /** Write what is buffered; fsync, close and rename the complete file into place. */
  commit(): void {
    if (this.closed) throw new Error(`StreamedOutput ${this.file}: commit after commit or abort`);
    this.flush();
    this.io(() => {
      if (this.kind === "stdout") return;
      if (this.tmp !== null) fs.fsyncSync(this.fd!);
      fs.closeSync(this.fd!);
      this.fd = null;
      if (this.tmp !== null) {
        fs.renameSync(this.tmp, this.target);
        this.tmp = null;
        fsyncDir(path.dirname(this.target));
      }
    });
    this.closed = true;
  }

  /** Drop the partial output (after an error or a signal): the temp file is removed; never throws. */
  abort(): void {
    this.closed = true;
    this.pending = [];
    this.pendingBytes = 0;
    if (this.fd !== null && this.fd !== 1) {
      try {
        fs.closeSync(this.fd);
      } catch {
        // already closed
      }
    }
    this.fd = null;
    if (this.tmp !== null) fs.rmSync(this.tmp, { force: true });
    this.tmp = null;
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    const data = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    if (this.kind === "stdout") {
      try {
        writeStdout(data);
      } catch (err) {
        this.abort();
        throw err;
      }
      return;
    }
    this.io(() => writeFully(this.fd!, data));
  }

  private io(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.abort();
      if (err instanceof UserError || err instanceof StdoutClosed) throw err;
      throw writeError(this.file, err);
    }
  }
}
