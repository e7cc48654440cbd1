/** modburst calibrate [--seed S] [--refits N] [--out FILE]   (npm run calibrate -- ...) */
import { calibrate, defaultSettings, writeCalibration } from "../calibrate/calibration";
import { cellsOf, readMeasured } from "../data/measured";
import { checkInteger } from "../errors";
import { checkWritableFile } from "../fsutil";
import { paths } from "../paths";
import { formatTextTable } from "../tables/format";
import { parseCli } from "./args";

export async function calibrateCommand(argv: string[]): Promise<number> {
  const { values } = parseCli(argv, {
    seed: { type: "string" },
    refits: { type: "string" },
    out: { type: "string" },
  });
  const settings = {
    ...defaultSettings,
    seed: checkInteger("seed", values.seed ?? String(defaultSettings.seed), 0, 2 ** 31),
    refits: checkInteger("refits", values.refits ?? String(defaultSettings.refits), 2, 1000),
  };
  if (settings.seed === settings.checkSeed) settings.checkSeed = settings.seed + 1000003;
  const out = (values.out as string | undefined) ?? paths.calibratedParams;
  // A calibration takes many minutes: a bad --out is refused before, not after.
  checkWritableFile(out);
  const cells = cellsOf(readMeasured());
  const t0 = Date.now();
  const record = await calibrate(cells, settings, (line) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}`));
  writeCalibration(record, out);
  const rows = record.unseen.cells.map((c) => [c.config, c.module, c.measuredMean, c.simulatedMean, c.errorPct, c.measuredSd, c.simulatedSd, c.simulatedSd / c.measuredSd]);
  console.log(`\nUnseen seed ${record.unseen.seed} (model noise at most ${record.unseen.maxModelNoisePct.toFixed(1)}% of a mean):`);
  console.log(formatTextTable({ columns: ["config", "module", "measured s", "simulated s", "error %", "measured sd", "simulated sd", "sd ratio"], rows }));
  console.log(`\nfitted: ${record.free.map((f) => `${f.name}=${record.params[f.name]}`).join(", ")}`);
  console.log(`fit: ${record.fit.converged ? "converged" : "NOT converged"}: ${record.fit.stopReason}`);
  console.log(`out of sample (fit base+revert, predict my): ${record.outOfSample.predicted.map((c) => `${c.module} ${c.errorPct.toFixed(1)}%`).join(", ")}`);
  console.log(`wrote ${out} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return 0;
}
