/**
 * The notebooks in JupyterLab 4, in a real headless Chromium, as a user opens
 * them with `npm run lab`: each committed notebook opens untrusted and shows its
 * static figures; then every cell runs under the project's tslab kernel with no
 * error, and every figure becomes an interactive plotly plot. Prints each
 * notebook's open time (page load to rendered notebook; the goal is 3 s) and
 * writes a screenshot of each to test-artifacts/ui/ (gitignored).
 */
import assert from "node:assert/strict";
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { chromiumArgs, requireChromium } from "../../src/machine/browser";
import { readNotebook, root, scratchDir } from "../helpers";
import { listNotebooks } from "../../src/6-notebooks/runner";

export const artifactsDir = path.join(root, "test-artifacts", "ui");

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

async function waitForHttp(url: string, ms: number, log: () => string): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer within ${ms} ms\n${log()}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * JupyterLab settings for the test: every cell rendered at once (JupyterLab 4 only
 * renders cells near the viewport by default, which would hide figures from the
 * checks) and no news fetch (no network here).
 */
function writeLabSettings(dir: string): void {
  const put = (ext: string, file: string, value: object) => {
    fs.mkdirSync(path.join(dir, ext), { recursive: true });
    fs.writeFileSync(path.join(dir, ext, file), JSON.stringify(value));
  };
  put("@jupyterlab/notebook-extension", "tracker.jupyterlab-settings", { windowingMode: "none" });
  put("@jupyterlab/apputils-extension", "notification.jupyterlab-settings", { fetchNews: "false", checkForUpdates: false });
}

/** Figures a notebook file holds: outputs with the plotly JSON. */
function figuresIn(file: string): number {
  return readNotebook(file)
    .cells.flatMap((c) => c.outputs ?? [])
    .filter((o) => o.data?.["application/vnd.plotly.v1+json"]).length;
}

interface Opened {
  name: string;
  page: Page;
  openMs: number;
  figures: number;
}

/** The notebook's panel in this page (JupyterLab is exposed as window.jupyterapp). */
/** Resolves true when `p` settles within `ms`, false otherwise (the timer does not keep the process alive). */
function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    timer.unref();
    p.then(
      () => (clearTimeout(timer), resolve(true)),
      () => (clearTimeout(timer), resolve(true)),
    );
  });
}

/** SIGTERM to a detached child's process group; SIGKILL to the group if it has not exited within `ms`. */
async function stopGroup(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  if (!(await within(exited, ms))) {
    console.log(`ui: JupyterLab did not stop within ${ms / 1000} s of SIGTERM: SIGKILL to its process group`);
    signal("SIGKILL");
    await within(exited, 10_000);
  }
  child.stdout?.destroy();
  child.stderr?.destroy();
}

/** Close the browser; if that hangs, kill the Chromium processes this test process started. */
async function closeBrowser(browser: { close(): Promise<void> }, ms: number): Promise<void> {
  if (await within(browser.close(), ms)) return;
  console.log(`ui: Chromium did not close within ${ms / 1000} s: SIGKILL to the browser this test started`);
  spawnSync("pkill", ["-KILL", "-P", String(process.pid), "chromium"]);
}

const panel = "window.jupyterapp?.shell?.currentWidget";

test("JupyterLab 4: every notebook opens untrusted with its static figures, runs under the project kernel, and its figures become interactive", { timeout: 600_000 }, async (t) => {
  const dir = scratchDir(t);
  const names = listNotebooks(path.join(root, "notebooks")).map((f) => path.basename(f));
  for (const n of names) fs.copyFileSync(path.join(root, "notebooks", n), path.join(dir, n));
  const settings = path.join(dir, ".lab-settings");
  writeLabSettings(settings);
  fs.mkdirSync(artifactsDir, { recursive: true });

  const port = await freePort();
  const token = "modburst-ui-test";
  const env = {
    ...process.env,
    JUPYTERLAB_SETTINGS_DIR: settings,
    // A fresh Jupyter data and config dir: no notebook is trusted yet, and the user's own settings stay out.
    JUPYTER_DATA_DIR: path.join(dir, ".jupyter-data"),
    JUPYTER_CONFIG_DIR: path.join(dir, ".jupyter-config"),
    // Notebooks 03 and 04 write derived data and the figure pack: into the scratch folder.
    MODBURST_DERIVED_DIR: path.join(dir, "derived"),
    MODBURST_FIGURES_DIR: path.join(dir, "figures"),
  };
  const lab: ChildProcess = spawn(
    process.execPath,
    [
      path.join(root, "bin", "modburst.js"),
      "lab",
      "--no-rebuild",
      "--no-browser",
      `--port=${port}`,
      "--ip=127.0.0.1",
      `--ServerApp.token=${token}`,
      `--notebook-dir=${dir}`,
      "--LabApp.expose_app_in_browser=True",
    ],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"], detached: true, env },
  );
  let log = "";
  lab.stdout!.on("data", (d) => (log += d));
  lab.stderr!.on("data", (d) => (log += d));
  // Stop the server (and, below, the browser) within a bound: a hook that waits forever keeps this test file's
  // process alive after its test passed (seen once in CI on a loaded machine: JupyterLab, its kernels and
  // Chromium still up 30 minutes later), and the suite never ends.
  t.after(() => stopGroup(lab, 30_000));
  await waitForHttp(`http://127.0.0.1:${port}/api?token=${token}`, 90_000, () => log);
  assert.match(log, /JupyterLab application directory|jupyterlab \| extension was successfully loaded/, "the front end is JupyterLab");

  // The project's kernelspec, as the server sees it: tslab from this checkout.
  const specs = (await (await fetch(`http://127.0.0.1:${port}/api/kernelspecs?token=${token}`)).json()) as {
    kernelspecs: Record<string, { spec: { argv: string[] } }>;
  };
  assert.equal(specs.kernelspecs.tslab?.spec.argv[0], path.join(root, "node_modules", ".bin", "tslab"));

  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: requireChromium(), args: [...chromiumArgs], chromiumSandbox: false });
  t.after(() => closeBrowser(browser, 30_000));
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });

  // 1. Open each notebook (one after another, so each open time is its own) and see it untrusted with static figures.
  const opened: Opened[] = [];
  for (const name of names) {
    const page = await context.newPage();
    const figures = figuresIn(path.join(dir, name));
    const started = Date.now();
    // A workspace of its own: the default one would reopen every notebook opened before it.
    await page.goto(`http://127.0.0.1:${port}/lab/workspaces/ui-${path.basename(name, ".ipynb")}/tree/${name}?token=${token}`);
    await page.waitForFunction(
      ([p, n]) => {
        const w = eval(p as string);
        if (!w?.context?.isReady || w.content.widgets.length !== w.content.model.cells.length) return false;
        const imgs = [...(globalThis as any).document.querySelectorAll(".jp-RenderedPlotly img.plot-img")] as any[];
        return imgs.length === n && imgs.every((i) => i.complete && i.naturalWidth > 0);
      },
      [panel, figures] as const,
      // Polled every 100 ms, not on every animation frame: raf polling keeps the page painting at 60 Hz.
      { timeout: 60_000, polling: 100 },
    );
    const openMs = Date.now() - started;
    const trust = await page.evaluate((p) => {
      const w = eval(p);
      return [...w.content.widgets].filter((c: any) => c.model.type === "code" && c.model.outputs.length > 0).map((c: any) => c.model.trusted);
    }, panel);
    assert.ok(trust.length > 0 && trust.every((x: boolean) => x === false), `${name} opens untrusted`);
    opened.push({ name, page, openMs, figures });
    const line = `ui: ${name.padEnd(30)} opened in ${(openMs / 1000).toFixed(1)} s (goal 3 s), ${figures} static figures shown untrusted`;
    console.log(line);
    t.diagnostic(line);
  }

  // 2. Run every notebook's cells (side by side: kernels mostly wait), then check each.
  await Promise.all(
    opened.map(async ({ name, page, figures }) => {
      await page.evaluate(async (p) => {
        const w = eval(p);
        await w.sessionContext.ready;
        await (globalThis as any).jupyterapp.commands.execute("notebook:run-all-cells");
      }, panel);
      await page.waitForFunction(
        (p) => {
          const w = eval(p);
          const code = [...w.content.widgets].filter((c: any) => c.model.type === "code");
          return w.sessionContext.session?.kernel?.status === "idle" && code.every((c: any) => c.model.executionCount !== null);
        },
        panel,
        { timeout: 300_000, polling: 500 },
      );
      const state = await page.evaluate((p) => {
        const w = eval(p);
        const outputs = [...w.content.widgets].filter((c: any) => c.model.type === "code").flatMap((c: any) => c.model.outputs.toJSON());
        return {
          kernel: w.sessionContext.session.kernel.name,
          errors: outputs.filter((o: any) => o.output_type === "error" || o.name === "stderr").length,
          figures: outputs.filter((o: any) => o.data?.["application/vnd.plotly.v1+json"]).length,
        };
      }, panel);
      assert.equal(state.kernel, "tslab", name);
      assert.equal(state.errors, 0, `${name}: error output`);
      assert.equal(state.figures, figures, `${name}: figures after the run`);

      // jupyterlab-plotly shows a figure's PNG and draws the interactive plot when the pointer enters the image:
      // send each image the event a pointer sends.
      await page.evaluate(() => {
        for (const img of (globalThis as any).document.querySelectorAll(".jp-RenderedPlotly img.plot-img")) {
          img.dispatchEvent(new (globalThis as any).MouseEvent("mouseenter"));
        }
      });
      await page.waitForFunction((n) => (globalThis as any).document.querySelectorAll(".jp-RenderedPlotly.js-plotly-plot .modebar").length === n, figures, { timeout: 60_000, polling: 250 });
      await page.locator(".jp-RenderedPlotly.js-plotly-plot").first().scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(artifactsDir, `${path.basename(name, ".ipynb")}.png`) });
    }),
  );
  for (const o of opened) assert.ok(fs.existsSync(path.join(artifactsDir, `${path.basename(o.name, ".ipynb")}.png`)));
});
