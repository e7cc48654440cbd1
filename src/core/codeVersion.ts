/**
 * The version of the code that computes records: a hash of the source files of
 * the folders records depend on. Editing any of them (the model, the event
 * loop, the thread pool, the sweep and experiment code) gives new cache keys,
 * so no record outlives the code that made it. Hashing sources rather than a
 * git commit also covers uncommitted edits.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "./paths";

/** Folders under src/ (or dist/ in an install without sources) whose code a record depends on. */
export const recordCodeFolders = ["core/stats", "core/random.ts", "1-model", "3-experiments/parallel", "3-experiments/sweep", "3-experiments/calibrate", "3-experiments/records", "4-studies"];

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  if (!fs.statSync(dir).isDirectory()) return [dir];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : /\.(ts|js)$/.test(e.name) && !e.name.endsWith(".d.ts") ? [path.join(dir, e.name)] : []));
}

/** Hash of every source file of `folders` under `root`, by relative path and content. */
export function codeVersionOf(root: string, folders = recordCodeFolders): string {
  const h = createHash("sha256");
  const files = folders.flatMap((f) => filesUnder(path.join(root, f))).sort();
  if (files.length === 0) throw new Error(`no model sources under ${root} to version the results cache with`);
  for (const f of files) {
    h.update(path.relative(root, f).split(path.sep).join("/") + "\0");
    h.update(fs.readFileSync(f));
    h.update("\0");
  }
  return h.digest("hex").slice(0, 16);
}

let memo: string | undefined;

/** This checkout's code version (src/ when present, else dist/), computed once per process. */
export function modelCodeVersion(): string {
  if (memo === undefined) {
    const src = path.join(projectRoot, "src");
    memo = codeVersionOf(fs.existsSync(src) ? src : path.join(projectRoot, "dist"));
  }
  return memo;
}

/** Folders of src/ whose code can change what a notebook shows (everything but the command line and machine setup). */
export const outputCodeFolders = ["core", "1-model", "2-measurements", "3-experiments", "4-studies", "5-views", "6-notebooks", "7-pack"];

/**
 * What each executed notebook prints first: the hash of the code that made it.
 * A test compares it with the checkout's, so notebooks left stale by a code
 * change fail the tests instead of passing silently.
 */
export function outputCodeVersion(): string {
  return codeVersionOf(path.join(projectRoot, "src"), outputCodeFolders);
}

export function provenanceLine(): string {
  return `made by modburst code ${outputCodeVersion()} (hash of src/: ${outputCodeFolders.join(", ")})`;
}
