/** Notebook 01's comparison: the measured cells beside the calibrated model's boots of the same table layout. */
import type { Cell, CellKey } from "../../2-measurements/measured";
import type { BootResult } from "../../1-model/boot";

export interface CellComparison extends CellKey {
  measured: number[];
  simulated: number[];
}

/** Boots per configuration in the seed's table layout (rows #1-#5), measured and simulated alike. */
export const tableBoots = 5;

/** Join each measured cell with the spans of its policy's simulated boots (a record of boots per policy). */
export function compareWithMeasured(cells: Cell[], bootsByPolicy: Record<string, BootResult[]>): CellComparison[] {
  return cells.map((c) => {
    const runs = bootsByPolicy[c.policy];
    if (!runs) throw new Error(`no simulated boots of policy ${c.policy} for the ${c.config} cells`);
    return { config: c.config, policy: c.policy, module: c.module, measured: c.seconds, simulated: runs.map((r) => r.modules[c.module].spanSeconds) };
  });
}
