import { UserError } from "../errors";

/**
 * Run a CLI body: a UserError becomes one line on stderr and its exit code;
 * anything else is a bug and keeps its stack trace.
 */
export function runMain(body: () => Promise<number | void> | number | void): void {
  Promise.resolve()
    .then(body)
    .then(
      (code) => {
        process.exitCode = typeof code === "number" ? code : 0;
      },
      (err: unknown) => {
        if (err instanceof UserError) {
          process.stderr.write(`modburst: ${err.message}\n`);
          process.exitCode = err.exitCode;
        } else {
          console.error(err);
          process.exitCode = 1;
        }
      },
    );
}
