import * as fs from "fs";
import * as path from "path";

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
