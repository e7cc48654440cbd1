/**
 * modburst figures [--study NAME|FOLDER] [--out DIR] [--no-cache]   (npm run figures -- ...): the commit-message pack without Jupyter (same code as notebook 04), from the cached records.
 * DIR (default: the study's figures folder, the seed's figures/) is replaced as a whole: it ends up holding exactly the new pack.
 */
import * as path from "path";
import { buildCommitPack } from "../7-pack/pack";
import { checkPackFolder } from "../7-pack/packFiles";
import { requireChromium } from "../machine/browser";
import { loadStudy, seedStudyName } from "../4-studies/study";
import { studyCalibration } from "../4-studies/calibration";
import { OptionTable, parseCli } from "./args";
import { progressBar } from "./progress";
import { cacheEnv, checkCacheWritable } from "../3-experiments/records/cache";
import { checkWritableDir } from "../core/fsutil";

/** figures' options: what it parses and what `modburst figures --help` prints. */
export const figuresOptions: OptionTable = {
  study: { type: "string", value: "NAME|FOLDER", help: "that study's pack (default: the seed's)" },
  out: { type: "string", value: "DIR", help: "the pack folder, replaced as a whole (default: the study's figures folder, figures/ for the seed)" },
  "no-cache": { type: "boolean", help: "recompute every record the pack reads instead of reading the results cache" },
};

export async function figuresCommand(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, figuresOptions);
  if (values["no-cache"]) process.env[cacheEnv.noCache] = "1";
  const study = loadStudy((values.study as string | undefined) ?? seedStudyName);
  studyCalibration(study);
  const outDir = (values.out as string | undefined) ?? study.out.figures;
  // Fail before minutes of simulation, not after (buildCommitPack checks the folder again, for notebook 04).
  checkWritableDir(outDir);
  checkPackFolder(outDir);
  checkCacheWritable();
  requireChromium();
  const t0 = Date.now();
  const pack = await buildCommitPack({ study, outDir, log: (l) => console.log(l), onProgress: progressBar("boots of a missing record") });
  for (const f of pack.files) console.log(`wrote ${path.relative(process.cwd(), f.file) || f.file} (${f.bytes} bytes)`);
  console.log(`wrote ${path.relative(process.cwd(), pack.textFile) || pack.textFile}`);
  console.log(`wrote ${path.relative(process.cwd(), pack.manifestFile) || pack.manifestFile} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return 0;
}
