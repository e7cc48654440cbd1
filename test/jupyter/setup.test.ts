/** Setup when pip fails: the install into a real venv fails, and setup falls back to Debian's packages. */
import assert from "node:assert/strict";
import * as fs from "fs";
import { spawnSync } from "child_process";
import * as path from "path";
import { test } from "node:test";
import { stateFile } from "../../src/machine/setup";
import { runNode, tmpDir } from "../helpers";

/** The machine's setup state, put back after a test that runs setup with a deliberately odd environment. */
function keepState(t: { after(fn: () => void): void }): void {
  const saved = fs.readFileSync(stateFile);
  t.after(() => fs.writeFileSync(stateFile, saved));
}

test("a failing pip install falls back to Debian's packages", (t) => {
  keepState(t);
  const dir = tmpDir(t);
  // A venv made without pip (0.2 s instead of ~4 s for ensurepip): setup finds it without
  // its stamp, runs pip install in it, and that fails as with a broken index.
  const made = spawnSync("python3", ["-m", "venv", "--without-pip", path.join(dir, "venv")], { encoding: "utf8" });
  assert.equal(made.status, 0, made.stderr);
  const env = { MODBURST_PYTHON: "", MODBURST_VENV: path.join(dir, "venv"), PIP_CONFIG_FILE: "/dev/null", PIP_NO_INDEX: "1", PIP_FIND_LINKS: "" };
  const r = runNode("bin/modburst.js", ["setup"], { env });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^setup: not using .*venv: pip install -r environment\/requirements\.txt into .* failed \(exit 1\); falling back to \/usr\/bin\/python3$/m);
  assert.match(r.stdout, /^setup: python \/usr\/bin\/python3 \(system; nbclient /m);
});

