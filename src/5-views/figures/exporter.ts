/**
 * Figures to files for patch review: SVG, PNG (2x) and a self-contained HTML
 * page (plotly.js inlined, no external URL, works offline). Rendering reuses one
 * headless Chromium for a whole batch; every file is written atomically under a
 * stable name.
 */
import * as fs from "fs";
import * as path from "path";
import { invalid } from "../../core/errors";
import { closeRenderer, renderFigure, withTraceUids } from "./render";
import { Figure, figureTitle } from "./spec";
import { writeFileAtomic } from "../../core/fsutil";
import { paths } from "../../core/paths";
import { escapeHtml } from "../tables/format";

export type ExportFormat = "svg" | "png" | "html";
export const exportFormats: readonly ExportFormat[] = ["svg", "png", "html"];

export interface NamedFigure {
  /** File stem: lower-case letters, digits and dashes (stable across runs). */
  name: string;
  figure: Figure;
}

export interface ExportedFile {
  name: string;
  format: ExportFormat;
  file: string;
  bytes: number;
}

/** A standalone page: plotly.js inlined, the figure's spec as data, nothing fetched. */
export function standaloneHtml(fig: Figure): string {
  const spec = JSON.stringify(withTraceUids(fig)).replace(/</g, "\\u003c");
  const plotly = fs.readFileSync(paths.plotlyJs, "utf8").replace(/<\/script/gi, "<\\/script");
  return [
    "<!doctype html>",
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(figureTitle(fig))}</title>`,
    "<style>body{margin:0;font-family:sans-serif}#figure{width:100vw;height:100vh}</style>",
    `<script>${plotly}</script>`,
    "</head><body>",
    '<div id="figure"></div>',
    `<script>var f=${spec};Plotly.newPlot("figure",f.data,f.layout,{responsive:true});</script>`,
    "</body></html>",
    "",
  ].join("\n");
}

/** Render a batch of figures into `dir` in each format; returns what was written. */
export async function exportFigures(figures: NamedFigure[], dir: string, formats: readonly ExportFormat[] = exportFormats): Promise<ExportedFile[]> {
  for (const f of figures) if (!/^[a-z0-9][a-z0-9-]*$/.test(f.name)) throw invalid("figure name", f.name, "lower-case letters, digits and dashes");
  const out: ExportedFile[] = [];
  try {
    for (const { name, figure } of figures) {
      for (const format of formats) {
        const file = path.join(dir, `${name}.${format}`);
        const data =
          format === "svg" ? await renderFigure(figure, "svg") : format === "png" ? await renderFigure(figure, "png", { scale: 2 }) : standaloneHtml(figure);
        writeFileAtomic(file, data);
        out.push({ name, format, file, bytes: Buffer.byteLength(data) });
      }
    }
  } finally {
    await closeRenderer();
  }
  return out;
}
