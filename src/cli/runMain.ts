import { UserError } from "../core/errors";
import { StdoutClosed, stdoutClosedExitCode } from "../core/outputs";

/**
 * Run a CLI body: a UserError becomes one line on stderr and its exit code;
 * stdout closed by its reader (`| head`) ends quietly with exit 141 (see
 * outputs.ts); anything else is a bug and keeps its stack trace.
 */
export function runMain(body: () => Promise<number | void> | number | void): void {
  // process.stdout.write reports a closed pipe as an 'error' event, later.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(stdoutClosedExitCode);
    throw err;
  });
  Promise.resolve()
    .then(body)
    .then(
      (code) => {
        process.exitCode = typeof code === "number" ? code : 0;
      },
      (err: unknown) => {
        if (err instanceof StdoutClosed) {
          process.exitCode = stdoutClosedExitCode;
        } else if (err instanceof UserError) {
          process.stderr.write(`modburst: ${err.message}\n`);
          process.exitCode = err.exitCode;
        } else {
          console.error(err);
          process.exitCode = 1;
        }
      },
    );
}
