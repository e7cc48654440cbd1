/** Versions of the stack, for the record in notebook outputs and calibration files. */
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "./paths";

function packageVersion(name: string): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(projectRoot, "node_modules", name, "package.json"), "utf8")).version;
  } catch {
    return "missing";
  }
}

export function versions(): Record<string, string> {
  const own = JSON.parse(fs.readFileSync(path.join(projectRoot, "package.json"), "utf8")).version as string;
  return {
    modburst: own,
    node: process.version,
    tslab: packageVersion("tslab"),
    "typescript (tslab)": packageVersion("@tslab/typescript-for-tslab"),
    "typescript (build)": packageVersion("typescript"),
    "danfojs-node": packageVersion("danfojs-node"),
    mathjs: packageVersion("mathjs"),
    "plotly.js-dist-min": packageVersion("plotly.js-dist-min"),
    "playwright-core": packageVersion("playwright-core"),
  };
}
