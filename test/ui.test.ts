import assert from "node:assert/strict";
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { test } from "node:test";
import { chromiumArgs, requireChromium } from "../src/env/browser";
import { readNotebook, root, scratchDir } from "./helpers";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

async function waitForHttp(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

test("npm run lab serves the project kernel; in a real browser 00-environment runs and its plotly figure is interactive", async (t) => {
  const dir = scratchDir(t);
  const nb = readNotebook(path.join(root, "notebooks", "00-environment.ipynb"));
  for (const c of nb.cells) if (c.cell_type === "code") c.outputs = [];
  fs.writeFileSync(path.join(dir, "00-environment.ipynb"), JSON.stringify(nb));
  const port = await freePort();
  const token = "modburst-ui-test";
  const lab: ChildProcess = spawn(
    process.execPath,
    [path.join(root, "bin", "modburst.js"), "lab", "--no-browser", `--port=${port}`, "--ip=127.0.0.1", `--NotebookApp.token=${token}`, `--ServerApp.token=${token}`, `--notebook-dir=${dir}`],
    { cwd: root, stdio: ["ignore", "ignore", "pipe"], detached: true },
  );
  let log = "";
  lab.stderr!.on("data", (d) => (log += d));
  t.after(() => {
    try {
      process.kill(-lab.pid!, "SIGTERM");
    } catch {
      // already gone
    }
  });
  await waitForHttp(`http://127.0.0.1:${port}/api?token=${token}`, 60_000).catch((e) => {
    throw new Error(`${e.message}\n${log}`);
  });

  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: requireChromium(), args: [...chromiumArgs], chromiumSandbox: false });
  t.after(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${port}/notebooks/00-environment.ipynb?token=${token}`);
  // Classic notebook UI (Debian's jupyter-notebook); JupyterLab exposes no such global.
  await page.waitForFunction(() => (globalThis as any).Jupyter?.notebook?.kernel?.is_connected?.(), undefined, { timeout: 60_000 });
  const kernelName = await page.evaluate(() => (globalThis as any).Jupyter.notebook.kernel.name);
  assert.equal(kernelName, "tslab");
  await page.evaluate(() => (globalThis as any).Jupyter.notebook.execute_all_cells());
  // The figure's HTML output loads plotly.js and replaces the static SVG with an interactive plot.
  await page.waitForSelector(".output_area .js-plotly-plot .main-svg", { timeout: 120_000 });
  assert.ok((await page.locator(".output_area .js-plotly-plot .modebar").count()) > 0, "plotly's interactive mode bar");
  assert.match((await page.locator(".output_area .js-plotly-plot").first().textContent()) ?? "", /Load requests per boot on a 288-CPU machine/);
  await page.waitForSelector(".output_area table.modburst-table", { timeout: 30_000 });
  assert.match((await page.locator(".output_area table.modburst-table").last().textContent()) ?? "", /no-wait-going/);
  assert.equal(await page.locator(".output_area .output_error").count(), 0);
});
