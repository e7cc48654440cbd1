/** What notebooks import: `import * as mb from "../dist/index"`. */
export * from "./errors";
export * from "./paths";
export * from "./figures/spec";
export { renderFigure, closeRenderer, normalizeSvgIds } from "./figures/render";
export * from "./tables/format";
export { showTable, showText, showFigure, displayBundle } from "./notebooks/display";
export { versions } from "./versions";
