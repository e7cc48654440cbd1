/** npm run calibrate [-- --max-evals N --boots K --seed S --out FILE] */
import { calibrate, defaultSettings, writeCalibration } from "../calibrate/calibration";
import { cellsOf, readMeasured } from "../data/measured";
import { checkInteger } from "../errors";
import { paths } from "../paths";
import { formatTextTable } from "../tables/format";
import { parseCli } from "./args";
import { runMain } from "./runMain";

runMain(() => {
  const { values } = parseCli(process.argv.slice(2), {
    "max-evals": { type: "string" },
    boots: { type: "string" },
    seed: { type: "string" },
    out: { type: "string" },
  });
  const settings = {
    ...defaultSettings,
    maxEvals: checkInteger("max-evals", values["max-evals"] ?? String(defaultSettings.maxEvals), 10, 100_000),
    boots: checkInteger("boots", values.boots ?? String(defaultSettings.boots), 2, 1000),
    seed: checkInteger("seed", values.seed ?? String(defaultSettings.seed), 0, 2 ** 31),
  };
  const out = (values.out as string | undefined) ?? paths.calibratedParams;
  const cells = cellsOf(readMeasured());
  const t0 = Date.now();
  const record = calibrate(cells, settings, (line) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}`));
  writeCalibration(record, out);
  const rows = record.fit.cells.map((c) => [c.config, c.module, c.measuredMean, c.simulatedMean, c.errorPct, c.measuredSd, c.simulatedSd]);
  console.log("\n" + formatTextTable({ columns: ["config", "module", "measured s", "simulated s", "error %", "measured sd", "simulated sd"], rows }));
  console.log(`\nfitted: ${record.free.map((f) => `${f.name}=${record.params[f.name]}`).join(", ")}`);
  console.log(`out of sample (fit base+revert, predict my): ${record.outOfSample.predicted.map((c) => `${c.module} ${c.errorPct.toFixed(1)}%`).join(", ")}`);
  console.log(`unseen boots: worst cell ${record.unseenBoots.maxAbsErrorPct.toFixed(1)}%`);
  console.log(`wrote ${out} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
});
