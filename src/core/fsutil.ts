import * as fs from "fs";
import * as path from "path";
import { existingDirFor, statOrNull, tempFileFor, writeError } from "./outputs";

// The write side lives in outputs.ts (one write path); these are its old names, one implementation.
export { checkWritableFile, fileInTheWay, probeWritableFile, tempFileFor as tempSibling, writeError, writeOutput as writeFileAtomic, writeOutput as writeFileForUser } from "./outputs";

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
    const probe = tempFileFor(path.join(parent, path.basename(target)));
    fs.mkdirSync(probe);
    fs.rmdirSync(probe);
  } catch (err) {
    throw writeError(dir, err);
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
  const fd = openCapped(file, maxBytes, problem);
  try {
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

/** Open a regular file of at most maxBytes for reading (a streamed reader's start): its descriptor, or `problem` thrown. */
export function openCapped(file: string, maxBytes: number, problem: (p: FileProblem) => Error): number {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw problem({ kind: "unreadable", detail: (err as NodeJS.ErrnoException).code ?? "unreadable" });
  }
  const st = fs.fstatSync(fd);
  const p: FileProblem | null = !st.isFile() ? { kind: "not-file", detail: "not a regular file" } : st.size > maxBytes ? { kind: "too-big", detail: `${st.size} bytes` } : null;
  if (p === null) return fd;
  fs.closeSync(fd);
  throw problem(p);
}
