/**
 * Notebook parameters, papermill-style: every notebook has one code cell tagged
 * `parameters` holding `const study = "pavlu-2022-10-15";`. To run a notebook for
 * another study, the copy that is executed gets that cell's value replaced (the
 * cell is re-tagged `injected-parameters`, as papermill tags the cell it adds);
 * the notebook in notebooks/ is never changed.
 */
import * as fs from "fs";
import * as path from "path";
import { UserError } from "../errors";

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

/** The notebook text with its parameters cell set to `study` (an executed copy's input). */
export function injectStudy(text: string, study: string, where: string): string {
  const nb = JSON.parse(text) as { cells: NotebookCell[] };
  const i = parametersCellIndex(nb.cells, where);
  const cell = nb.cells[i];
  nb.cells[i] = {
    ...cell,
    metadata: { ...cell.metadata, tags: [injectedTag] },
    source: [`// Parameters injected by modburst reproduce --study\n`, `const study = ${JSON.stringify(study)};`],
  };
  return JSON.stringify(nb, null, 1) + "\n";
}

/** Write the injected copy of `notebook` as a hidden file beside it (so its kernel starts in the same folder and imports ../dist/index). */
export function writeInjectedCopy(notebook: string, study: string): string {
  const file = path.join(path.dirname(notebook), `.${study}-${path.basename(notebook)}.input-${process.pid}`);
  fs.writeFileSync(file, injectStudy(fs.readFileSync(notebook, "utf8"), study, path.basename(notebook)));
  return file;
}
