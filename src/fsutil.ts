import * as fs from "fs";
import * as path from "path";
import { UserError } from "./errors";

/**
 * Write a file so that readers see either the old or the new content, never a
 * prefix: write a sibling temp file, then rename (atomic within a filesystem).
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempSibling(file);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** A temp path in the same folder (so rename stays on one filesystem), hidden from globbing. */
export function tempSibling(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${Math.floor(performance.now() * 1000)}`);
}

const causes: Record<string, string> = {
  EISDIR: "is a directory",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  ENOTDIR: "a parent is not a directory",
  ENOENT: "no such file or directory",
  ENAMETOOLONG: "name too long",
  EEXIST: "exists",
};

/**
 * An I/O error on writing `file` as one line for the user (exit 1): the path and
 * the cause code. ENOTDIR names the file in the way (`--out README.md` for a
 * folder: README.md itself; `--out README.md/x.csv`: README.md), as the user gave
 * the path (relative stays relative).
 */
export function writeError(file: string, err: unknown): UserError {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (typeof code !== "string") throw err;
  const blocker = code === "ENOTDIR" ? fileInTheWay(file) : null;
  const cause = blocker !== null ? `${blocker} is a file, not a folder` : causes[code] ?? (err as Error).message;
  return new UserError(`cannot write ${file}: ${code} (${cause})`, 1);
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

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return null;
    throw err;
  }
}

/**
 * `dir`, or, when it does not exist yet, its nearest existing ancestor (where
 * mkdir -p would start): the folder a probe must be able to write in. A file in
 * the way is ENOTDIR, as the later write would get.
 */
function existingDirFor(dir: string): string {
  let d = dir;
  let st = statOrNull(d);
  while (st === null && path.dirname(d) !== d) {
    d = path.dirname(d);
    st = statOrNull(d);
  }
  if (st && !st.isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
  return d;
}

/**
 * Check, before any long work, that `file` can be written later: it is not a
 * directory, and its folder (or, when the folder does not exist yet, the nearest
 * existing ancestor, where writeFileAtomic creates it) is a writable directory.
 * Probes with a real temp file, so read-only mounts and root-owned folders are
 * caught whatever access(2) says. Throws a writeError (exit 1) naming the path.
 */
export function checkWritableFile(file: string): void {
  try {
    probeWritableFile(file);
  } catch (err) {
    throw writeError(file, err);
  }
}

/**
 * checkWritableFile's probe, its error as the system gave it (EROFS, EACCES,
 * ENOTDIR, EISDIR), for a caller with its own message. Node's mkdir -p says
 * ENOENT on a read-only file system; a probe says EROFS.
 */
export function probeWritableFile(file: string): void {
  const st = statOrNull(file);
  if (st?.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
  const dir = existingDirFor(path.dirname(path.resolve(file)));
  const probe = tempSibling(path.join(dir, path.basename(file)));
  fs.closeSync(fs.openSync(probe, "wx"));
  fs.rmSync(probe, { force: true });
}

/**
 * Check, before any long work, that the folder `dir` can be replaced as a whole
 * later (replaceDirAtomic): it is a directory or does not exist yet, and its
 * parent (or, when the parent does not exist yet, the nearest existing
 * ancestor, where the parent is created) is a writable directory, since the new
 * folder is built beside it and renamed in. Probes with a real temp folder, as
 * checkWritableFile does. Throws a writeError (exit 1) naming the folder.
 */
export function checkWritableDir(dir: string): void {
  try {
    const st = statOrNull(dir);
    if (st && !st.isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
    const target = st ? fs.realpathSync(dir) : path.resolve(dir);
    const parent = existingDirFor(path.dirname(target));
    const probe = tempSibling(path.join(parent, path.basename(target)));
    fs.mkdirSync(probe);
    fs.rmdirSync(probe);
  } catch (err) {
    throw writeError(dir, err);
  }
}

/** writeFileAtomic whose I/O errors become one line naming the path and the cause (UserError, exit 1). */
export function writeFileForUser(file: string, data: string | Uint8Array): void {
  try {
    writeFileAtomic(file, data);
  } catch (err) {
    throw writeError(file, err);
  }
}

/** Why a file could not be read: unreadable (detail: the errno code), not a regular file, or over the size limit (detail: its size). */
export interface FileProblem {
  kind: "unreadable" | "not-file" | "too-big";
  detail: string;
}

/** Size limits of the files the kit reads: a params or scenario JSON is a few KB, a calibration record ~100 KB, a CSV up to a sweep's. */
export const maxJsonFileBytes = 4 << 20;
export const maxCsvFileBytes = 256 << 20;

/**
 * A regular file's text, refusing anything else (a device such as /dev/zero, a
 * FIFO, a folder) and anything over `maxBytes`, before reading it all: `problem`
 * turns the reason into the caller's one-line error. At most maxBytes + 1 bytes
 * are ever read, whatever the size the file system reports.
 */
export function readFileCapped(file: string, maxBytes: number, problem: (p: FileProblem) => Error): string {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw problem({ kind: "unreadable", detail: (err as NodeJS.ErrnoException).code ?? "unreadable" });
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw problem({ kind: "not-file", detail: "not a regular file" });
    if (st.size > maxBytes) throw problem({ kind: "too-big", detail: `${st.size} bytes` });
    const chunks: Buffer[] = [];
    let n = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, maxBytes + 1 - n));
      const got = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (got === 0) break;
      chunks.push(chunk.subarray(0, got));
      n += got;
      if (n > maxBytes) throw problem({ kind: "too-big", detail: `more than ${maxBytes} bytes` });
    }
    return Buffer.concat(chunks, n).toString("utf8");
  } finally {
    fs.closeSync(fd);
  }
}
