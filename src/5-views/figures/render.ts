/**
 * Static figure export: Plotly.toImage in headless Chromium, driven by
 * playwright-core with the system browser (never a downloaded one). One browser is
 * reused for a batch and closed after a short idle time.
 */
import * as fs from "fs";
import * as path from "path";
import type { Browser, Page } from "playwright-core";
import { browserFailure, chromiumArgs, requireChromium } from "../../machine/browser";
import { paths } from "../../core/paths";
import { cachedRecord } from "../../3-experiments/records/cache";
import { codeVersionOf } from "../../core/codeVersion";
import { Figure } from "./spec";

export type ImageFormat = "svg" | "png";

export interface ImageOptions {
  /** CSS pixels. */
  widthPx?: number;
  heightPx?: number;
  /** Pixel ratio for PNG (2 = retina). */
  scale?: number;
}

export const defaultSize = { widthPx: 800, heightPx: 480 };

let session: Promise<{ browser: Browser; page: Page }> | null = null;
let idleTimer: NodeJS.Timeout | null = null;
/** Renders started and not yet finished: the browser is idle only when this is 0. */
let rendersInFlight = 0;
let idleCloseMs = 20_000;

/** How long the browser stays open after the last render ends (a test shortens it to see the idle close). */
export function setRendererIdleMs(ms: number): void {
  idleCloseMs = ms;
}

/** Whether this process holds a browser session now. */
export const rendererOpen = (): boolean => session !== null;

/** Set by `modburst reproduce` for its kernels: one browser serves every notebook instead of one launch (~2 s) each. */
export const sharedBrowserEnv = "MODBURST_BROWSER_WS";

async function openSession(): Promise<{ browser: Browser; page: Page }> {
  const { chromium } = await import("playwright-core");
  const shared = process.env[sharedBrowserEnv];
  const executablePath = shared ? undefined : requireChromium();
  // A browser that will not start (or a shared one that is gone) is one line saying what to do, not Playwright's launch log.
  try {
    const browser = shared
      ? await chromium.connect(shared)
      : await chromium.launch({ executablePath, args: [...chromiumArgs], chromiumSandbox: false, headless: true });
    const page = await browser.newPage();
    await page.setContent("<!doctype html><html><head><meta charset='utf-8'></head><body></body></html>");
    await page.addScriptTag({ content: fs.readFileSync(paths.plotlyJs, "utf8") });
    return { browser, page };
  } catch (err) {
    throw browserFailure(err, "start", executablePath);
  }
}

/**
 * Run `use` on the renderer's page. The idle timer runs only while no render is in
 * flight: on a loaded machine, opening the session alone (connect, page, 3.5 MB of
 * plotly.js) took 34-40 s, and a timer armed when a render started closed the
 * browser under that render ("Target page, context or browser has been closed").
 */
async function withPage<T>(use: (page: Page) => Promise<T>): Promise<T> {
  rendersInFlight++;
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  try {
    if (!session) {
      const opening = openSession();
      session = opening;
      // A failed open is not kept: the next render tries again.
      opening.catch(() => {
        if (session === opening) session = null;
      });
    }
    const page = (await session).page;
    try {
      return await use(page);
    } catch (err) {
      const failure = browserFailure(err, "render");
      // The browser is gone: the next render starts another instead of using a dead page.
      if (failure !== err) session = null;
      throw failure;
    }
  } finally {
    rendersInFlight--;
    if (rendersInFlight === 0 && session) {
      idleTimer = setTimeout(() => void closeRenderer(), idleCloseMs);
      idleTimer.unref();
    }
  }
}

/**
 * Start one headless browser for several processes (notebook kernels): returns
 * the environment that makes them connect to it, and how to stop it.
 */
export async function shareRenderer(): Promise<{ env: Record<string, string>; close(): Promise<void> }> {
  const { chromium } = await import("playwright-core");
  const executablePath = requireChromium();
  // Signals stay with the caller's own handler (which stops its notebooks first); playwright still kills the browser on exit.
  const server = await chromium
    .launchServer({
      executablePath,
      args: [...chromiumArgs],
      chromiumSandbox: false,
      headless: true,
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    })
    .catch((err: unknown) => {
      throw browserFailure(err, "start", executablePath);
    });
  return { env: { [sharedBrowserEnv]: server.wsEndpoint() }, close: () => server.close() };
}

/** Close this process's browser session (also done automatically after idleCloseMs). */
export async function closeRenderer(): Promise<void> {
  const s = session;
  session = null;
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = null;
  if (s) await (await s).browser.close();
}

/** What a rendered image depends on besides the figure: plotly.js's version and this renderer's code. */
let rendererVersion: { plotly: string; code: string } | undefined;
function renderer() {
  if (!rendererVersion) {
    const pkg = JSON.parse(fs.readFileSync(path.join(path.dirname(paths.plotlyJs), "package.json"), "utf8")) as { version: string };
    rendererVersion = { plotly: pkg.version, code: codeVersionOf(path.join(paths.root, "src"), ["5-views/figures", "machine"]) };
  }
  return rendererVersion;
}

/**
 * Render a figure to SVG text (deterministic ids) or PNG bytes. Images are
 * records like any other: the same figure renders once, and a warm re-run of a
 * notebook never starts the browser.
 */
export async function renderFigure(fig: Figure, format: "svg", opts?: ImageOptions): Promise<string>;
export async function renderFigure(fig: Figure, format: "png", opts?: ImageOptions): Promise<Buffer>;
export async function renderFigure(fig: Figure, format: ImageFormat, opts: ImageOptions = {}): Promise<string | Buffer> {
  // Through JSON as plotly receives it (NaN becomes null), so any figure has a key.
  const inputs = { figure: JSON.parse(JSON.stringify(fig)) as unknown, format, opts, renderer: renderer() };
  const image = await cachedRecord(`figure-${format}`, inputs, async () => {
    const out = await renderUncached(fig, format, opts);
    return typeof out === "string" ? out : out.toString("base64");
  });
  return format === "png" ? Buffer.from(image, "base64") : image;
}

async function renderUncached(fig: Figure, format: ImageFormat, opts: ImageOptions): Promise<string | Buffer> {
  const width = opts.widthPx ?? widthOf(fig);
  const height = opts.heightPx ?? heightOf(fig);
  const scale = opts.scale ?? (format === "png" ? 2 : 1);
  const url: string = await withPage((p) =>
    p.evaluate(
      // Runs in the browser, where plotly.min.js set window.Plotly.
      ([f, fmt, w, h, s]) => (globalThis as any).Plotly.toImage(f, { format: fmt, width: w, height: h, scale: s }),
      [withTraceUids(fig), format, width, height, scale] as const,
    ),
  );
  const comma = url.indexOf(",");
  const head = url.slice(0, comma);
  const body = url.slice(comma + 1);
  if (format === "png") return Buffer.from(body, "base64");
  return normalizeSvgIds(head.endsWith(";base64") ? Buffer.from(body, "base64").toString("utf8") : decodeURIComponent(body));
}

/** plotly names each trace's SVG group after its uid, random unless given: give every trace one by position. */
export function withTraceUids(fig: Figure): Figure {
  return { ...fig, data: fig.data.map((t, i) => ("uid" in t ? t : { ...t, uid: `t${i}` })) };
}

function widthOf(fig: Figure): number {
  return typeof fig.layout.width === "number" ? fig.layout.width : defaultSize.widthPx;
}
function heightOf(fig: Figure): number {
  return typeof fig.layout.height === "number" ? fig.layout.height : defaultSize.heightPx;
}

/**
 * plotly gives clip paths and defs random ids (e.g. `clip3f2a1bxyplot`), so two
 * renders of one figure differ. Renumber every id in order of appearance, and
 * its references, so identical figures give identical bytes.
 */
export function normalizeSvgIds(svg: string): string {
  const ids: string[] = [];
  for (const m of svg.matchAll(/\bid="([^"]+)"/g)) if (!ids.includes(m[1])) ids.push(m[1]);
  const map = new Map<string, string>();
  ids.forEach((id, i) => map.set(id, `mb${i}`));
  // The first render in a fresh page also orders the root's empty style attribute differently.
  let out = svg.replace(/ style=""/g, "");
  // Longest first, so an id that is a prefix of another is not replaced inside it.
  for (const id of [...ids].sort((a, b) => b.length - a.length)) {
    const esc = id.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    out = out
      .replace(new RegExp(`id="${esc}"`, "g"), `id="${map.get(id)}"`)
      .replace(new RegExp(`#${esc}(?=[)"'\\s])`, "g"), `#${map.get(id)}`);
  }
  return out;
}
