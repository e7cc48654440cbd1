#!/usr/bin/env node
/**
 * node bin/with-local-slurm.js COMMAND [ARGS...]
 *
 * Run one command against a throwaway single-node Slurm on this machine (the
 * real munged, slurmctld and slurmd, in a temp folder, on free ports; see
 * src/cluster/localCluster.ts), with SLURM_CONF pointing at it, then stop the
 * cluster by the PIDs it started, leaving no process and no file. Exits with
 * the command's code. Needs `npm run setup -- --slurm` (root) and a build.
 * For trying `modburst sweep --slurm` here; on a real cluster run the command itself.
 */
const { spawn } = require("child_process");
const path = require("path");

const argv = process.argv.slice(2);
if (argv.length === 0) {
  process.stderr.write("usage: node bin/with-local-slurm.js COMMAND [ARGS...]\n");
  process.exit(2);
}
let local;
try {
  local = require(path.join(__dirname, "..", "dist", "cluster", "localCluster.js"));
} catch {
  process.stderr.write("with-local-slurm: no dist/cluster/localCluster.js: run npm run build first\n");
  process.exit(2);
}

(async () => {
  if (!local.slurmInstalled()) {
    process.stderr.write(`with-local-slurm: ${local.notInstalled}\n`);
    process.exit(3);
  }
  const t0 = Date.now();
  const cluster = await local.startCluster();
  process.stderr.write(`with-local-slurm: cluster up in ${((Date.now() - t0) / 1000).toFixed(1)} s (SLURM_CONF=${cluster.conf})\n`);
  // Ctrl-C reaches the command too (same process group): let it cancel its jobs, then stop the cluster.
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => undefined);
  const child = spawn(argv[0], argv.slice(1), { stdio: "inherit", env: cluster.env });
  const code = await new Promise((resolve) => {
    child.on("error", (err) => {
      process.stderr.write(`with-local-slurm: ${argv[0]}: ${err.code || err.message}\n`);
      resolve(127);
    });
    child.on("close", (status, signal) => resolve(status ?? 128 + (require("os").constants.signals[signal] || 0)));
  });
  await cluster.stop();
  process.stderr.write(`with-local-slurm: cluster stopped\n`);
  process.exit(code);
})().catch((err) => {
  process.stderr.write(`with-local-slurm: ${err.message}\n`);
  process.exit(1);
});
