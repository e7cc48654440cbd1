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

/** An I/O error on writing `file` as one line for the user (exit 1): the path and the cause code. */
export function writeError(file: string, err: unknown): UserError {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (typeof code !== "string") throw err;
  return new UserError(`cannot write ${file}: ${code} (${causes[code] ?? (err as Error).message})`, 1);
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
 * Check, before any long work, that `file` can be written later: it is not a
 * directory, and its folder (or, when the folder does not exist yet, the nearest
 * existing ancestor, where writeFileAtomic creates it) is a writable directory.
 * Probes with a real temp file, so read-only mounts and root-owned folders are
 * caught whatever access(2) says. Throws a writeError (exit 1) naming the path.
 */
export function checkWritableFile(file: string): void {
  try {
    const st = statOrNull(file);
    if (st?.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    let dir = path.dirname(path.resolve(file));
    let dst = statOrNull(dir);
    while (dst === null && path.dirname(dir) !== dir) {
      dir = path.dirname(dir);
      dst = statOrNull(dir);
    }
    if (dst && !dst.isDirectory()) throw Object.assign(new Error("not a directory"), { code: "ENOTDIR" });
    const probe = tempSibling(path.join(dir, path.basename(file)));
    fs.closeSync(fs.openSync(probe, "wx"));
    fs.rmSync(probe, { force: true });
  } catch (err) {
    throw writeError(file, err);
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
