/**
 * Rich output from notebook cells. tslab's public `display` sends one MIME type
 * per output; a figure needs several at once (the plotly JSON for JupyterLab and
 * VS Code, a static PNG for GitHub and untrusted views, text for terminals), so bundles go through
 * tslab's internal `lastWriteDisplayData` when it exists, and degrade to the
 * public API or to stdout when it does not (guarded, and tested through the real
 * kernel in test/notebooks.test.ts).
 */
import { renderFigure } from "../5-views/figures/render";
import { Figure, figureTitle } from "../5-views/figures/spec";
import { columnLabel } from "../5-views/tables/labels";
import { escapeHtml, formatHtmlTable, formatTextTable, Table, tableFromFrame, tableFromRecords, TableValue } from "../5-views/tables/format";
import type { Study } from "../4-studies/study";
import { studyNote } from "./studyText";

/** Output data by MIME type: text, base64 images, or JSON documents (`application/*+json`). */
export type MimeBundle = Record<string, string | object>;

type WriteDisplayData = (data: { data: MimeBundle; metadata: object; transient: object }, update: boolean) => void;

function kernelWriter(): WriteDisplayData | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData?: unknown };
    return typeof jupyter.lastWriteDisplayData === "function" ? (jupyter.lastWriteDisplayData as WriteDisplayData) : null;
  } catch {
    return null;
  }
}

/** Send one output with several MIME types. Returns how it was sent. */
export function displayBundle(bundle: MimeBundle): "bundle" | "html" | "stdout" {
  const write = kernelWriter();
  if (write) {
    write({ data: bundle, metadata: {}, transient: {} }, false);
    return "bundle";
  }
  const html = bundle["text/html"];
  try {
    if (typeof html === "string") {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      (require("tslab") as { display: { html(s: string): void } }).display.html(html);
      return "html";
    }
  } catch {
    // not inside a tslab kernel
  }
  process.stdout.write(String(bundle["text/plain"] ?? "") + "\n");
  return "stdout";
}

/** Show a table (danfojs DataFrame, records or a Table) as HTML with a plain-text twin; field names get their display labels. */
export function showTable(
  data: Table | { columns: string[]; values: unknown[] } | Array<Record<string, TableValue>>,
  opts: { title?: string; digits?: number } = {},
): void {
  const fields = Array.isArray(data) ? tableFromRecords(data) : "rows" in data ? data : tableFromFrame(data);
  const table = { ...fields, columns: fields.columns.map(columnLabel) };
  const text = formatTextTable(table, opts.digits);
  displayBundle({
    "text/html": formatHtmlTable(table, opts.digits, opts.title),
    "text/plain": opts.title ? `${opts.title}\n${text}` : text,
  });
}

/** Show preformatted text (e.g. an email table) exactly as it will be pasted. */
export function showText(text: string): void {
  displayBundle({ "text/html": `<pre>${escapeHtml(text)}</pre>`, "text/plain": text });
}

/** Pixel ratio of a figure's static image: the figure's own size keeps a notebook of ten figures well under 2 MB. */
export const staticImageScale = 1;

/** Significant digits kept in a notebook's copy of a figure's numbers: finer than any axis or hover label shows. */
export const figureDigits = 5;

/** The figure with every number rounded to `digits` significant digits (integers stay exact), for a compact notebook. */
export function compactFigure(fig: Figure, digits = figureDigits): Figure {
  const round = (v: unknown): unknown => {
    if (typeof v === "number") return Number.isInteger(v) || !Number.isFinite(v) ? v : Number(v.toPrecision(digits));
    if (Array.isArray(v)) return v.map(round);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, round(x)]));
    return v;
  };
  return round(fig) as Figure;
}

/**
 * Show a figure as one output with three representations, each stored once:
 * - `application/vnd.plotly.v1+json`, the figure itself, which JupyterLab (with the
 *   plotly package's extension, installed by the setup) and VS Code draw as an
 *   interactive plot, loading plotly.js from the extension rather than the notebook;
 * - `image/png`, the static image for GitHub, nbviewer, nbconvert and untrusted
 *   notebooks (JupyterLab renders PNG in an untrusted notebook, but not SVG);
 * - `text/plain`, the title, for terminals.
 */
export async function showFigure(figure: Figure): Promise<void> {
  // The interactive copy and the image are drawn from the same rounded numbers.
  const fig = compactFigure(figure);
  const png = await renderFigure(fig, "png", { scale: staticImageScale });
  displayBundle({
    "application/vnd.plotly.v1+json": { data: fig.data, layout: fig.layout },
    "image/png": png.toString("base64"),
    "text/plain": `[figure: ${figureTitle(fig)}]`,
  });
}

/**
 * A progress line for long cells, updated in place (tslab's newDisplay) at every
 * tenth of the work. Its output is created empty when the cell asks for it and
 * emptied again when the work is done, so a saved notebook is the same bytes
 * whether the records were computed (progress shown) or read from the cache
 * (no work, no progress).
 */
export function progressDisplay(label: string): (done: number, total: number) => void {
  let display: { text(s: string): void } | null = null;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    display = (require("tslab") as { newDisplay(): { text(s: string): void } }).newDisplay();
    display.text("");
  } catch {
    display = null;
  }
  let lastTenth = -1;
  return (done, total) => {
    const tenth = Math.floor((done / total) * 10);
    if (tenth === lastTenth && done !== total) return;
    lastTenth = tenth;
    const text = done === total ? "" : `${label}: ${done}/${total}`;
    if (display) {
      try {
        display.text(text);
        return;
      } catch {
        display = null;
      }
    }
    if (done === total) process.stdout.write(`${label}: ${done}/${total}\n`);
  };
}

/** For a study other than the seed, say whose numbers follow (studyText.ts studyNote); nothing for the seed. */
export function showStudyNote(s: Study): void {
  const lines = studyNote(s);
  if (lines.length) console.log(lines.join("\n"));
}
