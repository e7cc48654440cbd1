#!/usr/bin/env node
/**
 * The test files of one suite. Node 20's runner sorts the files it is given by
 * name (it does not keep this order; checked: test:jupyter ran notebooks, runner,
 * setup, studies, ui), so the order below only matters on a runner that keeps it;
 * no test may depend on which files run beside it:
 * - `node bin/test-files.js` (npm test): everything under test/ but test/jupyter/;
 * - `node bin/test-files.js jupyter` (npm run test:jupyter): test/jupyter/, the
 *   notebooks under the real Jupyter executor, the tslab kernel and JupyterLab in
 *   Chromium, and a real venv install failing;
 * - `node bin/test-files.js slurm` (npm run test:slurm): test/slurm/, runs through a
 *   real single-node Slurm started by test/slurm/cluster.ts (needs
 *   `npm run setup -- --slurm`; fails, never skips, without it).
 */
const fs = require("fs");
const path = require("path");

const suites = {
  fast: { dir: "test", longestFirst: ["pack.test.ts", "budgets.test.ts", "sweep.test.ts", "strict.test.ts", "verdict.test.ts", "setup.test.ts"] },
  jupyter: { dir: path.join("test", "jupyter"), longestFirst: ["ui.test.ts", "studies.test.ts", "notebooks.test.ts", "runner.test.ts"] },
  slurm: { dir: path.join("test", "slurm"), longestFirst: [] },
};
const name = process.argv[2] ?? "fast";
const suite = suites[name];
if (!suite) {
  process.stderr.write(`test-files: invalid suite: ${name} (allowed ${Object.keys(suites).join("|")})\n`);
  process.exit(2);
}
const dir = path.join(__dirname, "..", suite.dir);
const all = fs.readdirSync(dir).filter((f) => f.endsWith(".test.ts")).sort();
const ordered = [...suite.longestFirst.filter((f) => all.includes(f)), ...all.filter((f) => !suite.longestFirst.includes(f))];
process.stdout.write(ordered.map((f) => path.join(suite.dir, f)).join(" ") + "\n");
