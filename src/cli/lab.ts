/**
 * npm run lab [-- --print-command]
 * Opens JupyterLab (or the classic notebook) on notebooks/ with the project kernel,
 * and keeps dist/ rebuilt from src/ while it runs (re-run a notebook's import cell,
 * or restart its kernel, to pick up an edit).
 */
import { spawn } from "child_process";
import * as path from "path";
import { ensureSetup } from "../env/setup";
import { jupyterEnv } from "../env/jupyter";
import { findFrontEnd, labInstallHint } from "../env/lab";
import { UserError } from "../errors";
import { paths } from "../paths";
import { runMain } from "./runMain";

runMain(async () => {
  const printOnly = process.argv.includes("--print-command");
  const frontEnd = findFrontEnd(process.env, paths.notebooks);
  if (!frontEnd) throw new UserError(labInstallHint, 3);
  if (printOnly) {
    console.log(`${frontEnd.name}: ${[frontEnd.command, ...frontEnd.args].join(" ")}`);
    return 0;
  }
  ensureSetup();
  const tsc = spawn(process.execPath, [path.join(paths.root, "node_modules", "typescript", "bin", "tsc"), "-p", paths.root, "--watch", "--preserveWatchOutput"], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const lab = spawn(frontEnd.command, frontEnd.args, { stdio: "inherit", env: jupyterEnv(), cwd: paths.root });
  const stop = () => {
    tsc.kill();
    lab.kill("SIGINT");
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  return new Promise<number>((resolve) =>
    lab.on("close", (code) => {
      tsc.kill();
      resolve(code ?? 0);
    }),
  );
});
