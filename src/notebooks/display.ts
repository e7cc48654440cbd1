/**
 * Rich output from notebook cells. tslab's public `display` sends one MIME type
 * per output; a figure needs several at once (interactive HTML for JupyterLab, a
 * static SVG for nbconvert/GitHub, text for terminals), so bundles go through
 * tslab's internal `lastWriteDisplayData` when it exists, and degrade to the
 * public API or to stdout when it does not (guarded, and tested through the real
 * kernel in test/notebooks.test.ts).
 */
import { createHash } from "crypto";
import * as fs from "fs";
import { renderFigure } from "../figures/render";
import { Figure, figureTitle } from "../figures/spec";
import { paths } from "../paths";
import { columnLabel } from "../tables/labels";
import { escapeHtml, formatHtmlTable, formatTextTable, Table, tableFromFrame, tableFromRecords, TableValue } from "../tables/format";

export type MimeBundle = Record<string, string>;

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
    if (html !== undefined) {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      (require("tslab") as { display: { html(s: string): void } }).display.html(html);
      return "html";
    }
  } catch {
    // not inside a tslab kernel
  }
  process.stdout.write((bundle["text/plain"] ?? "") + "\n");
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

let figuresShown = 0;

/**
 * Show a figure: interactive in JupyterLab (plotly.js inlined once per kernel
 * session, since the notebook may be opened offline), with the static SVG both as
 * the HTML's fallback content (untrusted notebooks, no JavaScript) and as its own
 * image/svg+xml output for viewers that skip HTML.
 */
export async function showFigure(fig: Figure): Promise<void> {
  const svg = await renderFigure(fig, "svg");
  const title = figureTitle(fig);
  const spec = JSON.stringify({ data: fig.data, layout: fig.layout });
  const id = `mbfig-${createHash("sha256").update(spec).digest("hex").slice(0, 12)}-${figuresShown}`;
  const plotly = figuresShown === 0 ? `<script>if (!window.Plotly) {\n${fs.readFileSync(paths.plotlyJs, "utf8")}\n}</script>\n` : "";
  figuresShown++;
  const img = `<img alt="${escapeHtml(title)}" src="data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}"/>`;
  const draw =
    `<script>(function(){var el=document.getElementById(${JSON.stringify(id)});` +
    `if(!el||!window.Plotly)return;var f=${spec.replace(/</g, "\\u003c")};` +
    `el.innerHTML="";window.Plotly.newPlot(el,f.data,f.layout,{responsive:true});})();</script>`;
  displayBundle({
    "text/html": `${plotly}<div id="${id}" class="modburst-figure">${img}</div>\n${draw}`,
    "image/svg+xml": svg,
    "text/plain": `[figure: ${title}]`,
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
