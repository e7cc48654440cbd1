/**
 * Notebook parameters, papermill-style: every notebook has one code cell tagged
 * `parameters` holding `const study = "pavlu-2022-10-15";`. To run a notebook for
 * another study, the copy that is executed gets that cell's value replaced (the
 * cell is re-tagged `injected-parameters`, as papermill tags the cell it adds);
 * the notebook in notebooks/ is never changed.
 */
import * as fs from "fs";
import * as path from "path";
import { UserError } from "../core/errors";
import { writeOutput } from "../core/outputs";

export const parametersTag = "parameters";
export const injectedTag = "injected-parameters";

interface NotebookCell {
  cell_type: string;
  source: string | string[];
  metadata?: { tags?: string[] } & Record<string, unknown>;
  outputs?: unknown[];
  execution_count?: number | null;
}

const parameterLine = /^const study = "[^"\\]*";\s*$/;

/** The index of the notebook's one parameters cell, checked: a code cell `const study = "...";`. */
export function parametersCellIndex(cells: NotebookCell[], where: string): number {
  const found = cells.flatMap((c, i) => (c.metadata?.tags?.includes(parametersTag) ? [i] : []));
  const allowed = `(allowed: one code cell tagged ${parametersTag}: const study = "NAME";)`;
  if (found.length !== 1) throw new UserError(`invalid ${where}: ${found.length} parameters cells ${allowed}`);
  const cell = cells[found[0]];
  const source = Array.isArray(cell.source) ? cell.source.join("") : cell.source;
  if (cell.cell_type !== "code" || !parameterLine.test(source)) throw new UserError(`invalid ${where}: parameters cell ${JSON.stringify(source.slice(0, 60))} ${allowed}`);
  return found[0];
}

/**
 * The markdown an executed copy starts with, before any text of the notebook:
 * which study it is, SYNTHETIC first when it is. `lines` are the study's note
 * (studyText.ts studyNote, which the first output prints too), so what the
 * reader is told about the seed's narration is written in one place.
 */
export function studyBanner(study: { name: string; title: string; synthetic: boolean }, lines: string[] = []): string {
  return [
    `> **${study.synthetic ? "SYNTHETIC study" : "Study"} \`${study.name}\`: ${study.title.replace(/^SYNTHETIC:?\s*/, "")}.** ` +
      `This copy was executed by \`modburst reproduce --study ${study.name}\`.`,
    ...lines,
  ].join(" ");
}

/**
 * The notebook text with its parameters cell set to `study` (an executed copy's
 * input), and, with `note`, a markdown cell saying so before everything else.
 */
export function injectStudy(text: string, study: string, where: string, note?: string): string {
  const nb = JSON.parse(text) as { cells: NotebookCell[] };
  const i = parametersCellIndex(nb.cells, where);
  const cell = nb.cells[i];
  nb.cells[i] = {
    ...cell,
    metadata: { ...cell.metadata, tags: [injectedTag] },
    source: [`// Parameters injected by modburst reproduce --study\n`, `const study = ${JSON.stringify(study)};`],
  };
  // A fixed id: the executed copy's bytes depend only on the study.
  if (note !== undefined) nb.cells.unshift({ cell_type: "markdown", id: "study-note", metadata: {}, source: [note] } as NotebookCell);
  return JSON.stringify(nb, null, 1) + "\n";
}

/** Write the injected copy of `notebook` as a hidden file beside it (so its kernel starts in the same folder and imports ../dist/index). */
export function writeInjectedCopy(notebook: string, study: string, note?: string): string {
  const file = path.join(path.dirname(notebook), `.${study}-${path.basename(notebook)}.input-${process.pid}`);
  writeOutput(file, injectStudy(fs.readFileSync(notebook, "utf8"), study, path.basename(notebook), note));
  return file;
}
