/** npm run setup -- --slurm: idempotent where Slurm is installed; says what to install where it cannot. */
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as path from "path";
import { test } from "node:test";
import { root, tmpDir } from "../helpers";
import { requireSlurm } from "./cluster";

const setup = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [path.join(root, "bin", "modburst.js"), "setup", "--slurm"], { cwd: root, env, encoding: "utf8" });

test("setup --slurm: with Slurm installed, installs nothing and says so", () => {
  requireSlurm();
  const r = setup(process.env);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^setup --slurm: already installed \(Slurm 22\.\d+\.\d+\S*, munge\); nothing to do\n$/);
});

test("setup --slurm: without apt-get it names the missing packages and the command to install them", (t) => {
  // A PATH without sbatch or apt-get (slurmctld, slurmd and munged are found in /usr/sbin).
  const r = setup({ ...process.env, PATH: tmpDir(t) });
  assert.equal(r.status, 3, r.stderr);
  assert.equal(r.stderr, "modburst: setup --slurm: missing slurm-client (allowed: install them, e.g. sudo apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge, or run npm run setup -- --slurm as root on Debian/Ubuntu)\n");
});
