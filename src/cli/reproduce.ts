/**
 * modburst reproduce [--timeout-seconds N] [--dir FOLDER] [--no-cache] [PREFIX...]   (npm run reproduce -- ...)
 * Sets the machine up if needed, then executes every notebook in name order.
 * Records come from the results cache unless --no-cache recomputes them all.
 */
import { ensureSetup } from "../env/setup";
import { checkNumber } from "../errors";
import { parseCli } from "./args";
import { paths } from "../paths";
import { describeFailure, installInterruptHandler, listNotebooks, runNotebooks, selectNotebooks } from "../notebooks/runner";
import { cacheEnv } from "../records/cache";
import { defaultThreads } from "../parallel/pool";

export const timeoutEnvVar = "MODBURST_CELL_TIMEOUT";

export const reproduceUsage = "modburst reproduce [--timeout-seconds N] [--dir FOLDER] [--no-cache] [PREFIX...]";

export async function reproduceCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv, {
    "timeout-seconds": { type: "string" },
    dir: { type: "string" },
    "no-cache": { type: "boolean" },
  });
  const timeout = checkNumber("timeout-seconds", values["timeout-seconds"] ?? process.env[timeoutEnvVar] ?? "900", 1, 86400);
  const files = selectNotebooks(listNotebooks((values.dir as string | undefined) ?? paths.notebooks), positionals);
  const state = ensureSetup();
  installInterruptHandler();
  const started = Date.now();
  const env = values["no-cache"] ? { ...process.env, [cacheEnv.noCache]: "1" } : process.env;
  // Two kernels side by side use both cores of a small machine; more only contend for memory.
  const concurrency = Math.min(2, defaultThreads());
  const outcomes = await runNotebooks(files, { python: state.python, cellTimeoutSeconds: timeout, env, concurrency }, console.log);
  const failed = outcomes.find((o) => !o.ok);
  const total = ((Date.now() - started) / 1000).toFixed(1);
  if (failed) {
    process.stderr.write(`modburst: ${describeFailure(failed)}\n`);
    console.log(`reproduce: ${outcomes.filter((o) => o.ok).length} of ${files.length} notebooks executed before stopping (${total} s)`);
    return 1;
  }
  console.log(`reproduce: ${files.length} notebooks executed in ${total} s`);
  return 0;
}
