/**
 * A folder of several files replaced as a whole, so readers never see a partial
 * set: the new folder is built under a hidden temp name beside the old one (same
 * parent, so the same filesystem and rename(2) is atomic), then swapped in: old
 * renamed aside, new renamed in, old removed. Between the two renames the folder
 * is briefly absent (Node has no renameat2 RENAME_EXCHANGE), never half-written.
 * A failed build leaves the old folder untouched and removes its temp folder; the
 * temp folders of a killed run are removed by the next run.
 */
import * as fs from "fs";
import * as path from "path";
import { removeStaleTempFiles, tempFileFor, writeError, WriteError } from "./outputs";

/** Temp and aside folders are named as outputs.ts names temp files (`.NAME.tmp-PID-N`, gitignored), so one cleanup serves both. */
const tempName = (dir: string, suffix = ""): string => tempFileFor(dir) + suffix;

/**
 * Remove the temp and aside folders of `dir` left by runs that no longer exist
 * (killed mid-build or mid-swap). Folders of a live process, e.g. a concurrent
 * run, are kept. Returns the names removed.
 */
export const removeStaleTemps = (dir: string): string[] => removeStaleTempFiles(dir);

/** An I/O error on a path inside the temp folder, reported under the path it stands for. */
function userPath(err: unknown, tmp: string, dir: string): string {
  const p = (err as NodeJS.ErrnoException)?.path;
  if (typeof p !== "string" || !(p === tmp || p.startsWith(tmp + path.sep))) return dir;
  // writeFileAtomic's own temp file (.NAME.tmp-PID-N) stands for NAME.
  return path.join(dir, path.relative(tmp, p).replace(/(^|\/)\.([^/]+)\.tmp-\d+-\d+$/, "$1$2"));
}

/** A failed system call (it has an errno), as opposed to a bug or a UserError. */
const isIoError = (err: unknown) => typeof (err as NodeJS.ErrnoException)?.errno === "number" && typeof (err as NodeJS.ErrnoException).code === "string";

/**
 * Build the new content of `dir` with `build(tmp)`, which writes into the empty
 * folder `tmp`, then swap it in. I/O errors are one line naming the path and
 * the cause (writeError, exit 1); any other error of `build` is passed on. In
 * every failure the temp folder is removed and `dir` keeps its old content.
 * A symlink `dir` keeps pointing where it did: its target is replaced.
 */
export async function replaceDirAtomic<T>(dir: string, build: (tmp: string) => Promise<T> | T): Promise<T> {
  let target = path.resolve(dir);
  try {
    if (fs.lstatSync(target).isSymbolicLink()) target = fs.realpathSync(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw writeError(dir, err);
  }
  const tmp = tempName(target);
  let result: T;
  try {
    removeStaleTemps(target);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.mkdirSync(tmp);
    result = await build(tmp);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (isIoError(err)) throw writeError(userPath(err, tmp, dir), err);
    // outputs.ts's checked writes inside the temp folder: named under the real folder too.
    if (err instanceof WriteError) throw err.at(userPath({ path: err.file }, tmp, dir));
    throw err;
  }
  swapIn(tmp, target, dir);
  return result;
}

/** Old folder aside, new folder in, old folder removed; on failure the old folder is put back. */
function swapIn(tmp: string, target: string, dir: string): void {
  const aside = tempName(target, "-old");
  let moved = false;
  try {
    try {
      fs.renameSync(target, aside);
      moved = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    }
    fs.renameSync(tmp, target);
  } catch (err) {
    if (moved) fs.renameSync(aside, target);
    fs.rmSync(tmp, { recursive: true, force: true });
    throw writeError(dir, err);
  }
  if (moved) fs.rmSync(aside, { recursive: true, force: true });
}
