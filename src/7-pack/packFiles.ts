/**
 * Writing a commit-message pack: the figures in every export format, the
 * commit message and the manifest, built in a temp folder and swapped in as a
 * whole (replaceDirAtomic), so the pack folder holds the previous complete
 * pack or the new complete pack, never a mix or a prefix.
 */
import * as fs from "fs";
import * as path from "path";
import { replaceDirAtomic } from "../core/atomicDir";
import { writeOutput } from "../core/outputs";
import { invalid } from "../core/errors";
import { exportFigures, ExportedFile, NamedFigure } from "../5-views/figures/exporter";
import { formatManifest, manifestFile, packManifest, PackSources } from "./manifest";

export const commitMessageFile = "commit-message.txt";

export interface WrittenPack {
  /** The exported figures, under their final paths in the pack folder. */
  files: ExportedFile[];
  textFile: string;
  manifestFile: string;
}

/** What a pack folder may hold: its own files only. */
const packEntry = /^([a-z0-9][a-z0-9-]*\.(svg|png|html)|commit-message\.txt|provenance\.json)$/;

/**
 * The pack replaces its folder as a whole, so the folder must hold nothing but
 * a pack (or nothing): `--out ~` must never delete a home folder. Refuses
 * anything else, naming the first foreign entry.
 */
export function checkPackFolder(outDir: string): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(outDir, { withFileTypes: true });
  } catch {
    return; // absent (or unreadable: checkWritableDir and the swap report that)
  }
  const foreign = entries.find((e) => !e.isFile() || !packEntry.test(e.name));
  if (foreign) {
    throw invalid("figure pack folder", outDir, `a new or empty folder, or one holding only a pack: NAME.svg|png|html, ${commitMessageFile}, ${manifestFile}; it holds ${foreign.name}`);
  }
}

export async function writePack(outDir: string, figures: NamedFigure[], text: string, sources: PackSources): Promise<WrittenPack> {
  checkPackFolder(outDir);
  const exported = await replaceDirAtomic(outDir, async (tmp) => {
    const files = await exportFigures(figures, tmp);
    writeOutput(path.join(tmp, commitMessageFile), text);
    // Last, so it covers every other file.
    writeOutput(path.join(tmp, manifestFile), formatManifest(packManifest(tmp, sources)));
    return files;
  });
  return {
    files: exported.map((f) => ({ ...f, file: path.join(outDir, path.basename(f.file)) })),
    textFile: path.join(outDir, commitMessageFile),
    manifestFile: path.join(outDir, manifestFile),
  };
}
