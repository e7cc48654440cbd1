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
