/**
 * figures/provenance.json: what a figure pack was made from (the modburst and
 * model code versions, the calibrated parameters' hash, the keys of the records
 * it reads) and the sha256 of each of its files, so a reader can tell which
 * code and data a figure came from and that no file was changed or lost. No
 * timestamps or absolute paths: the same inputs give the same bytes.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

export const manifestFile = "provenance.json";
export const manifestFormat = "modburst-pack v1";

export interface PackSources {
  /** package.json's version. */
  modburst: string;
  /** modelCodeVersion(): the code the records were computed by. */
  modelCode: string;
  /** sha256 of the calibrated parameters' JSON (as in a sweep CSV's `# params:` line). */
  params: string;
  /** The records the pack was built from, in the order it reads them. */
  records: Array<{ experiment: string; key: string }>;
}

export interface PackManifest extends PackSources {
  format: string;
  /** Every other file of the pack, by name. */
  files: Array<{ name: string; bytes: number; sha256: string }>;
}

/** The manifest of the files in `dir` (all but the manifest itself), names sorted. */
export function packManifest(dir: string, sources: PackSources): PackManifest {
  const names = fs
    .readdirSync(dir)
    .filter((n) => n !== manifestFile)
    .sort();
  const files = names.map((name) => {
    const data = fs.readFileSync(path.join(dir, name));
    return { name, bytes: data.length, sha256: createHash("sha256").update(data).digest("hex") };
  });
  // Fields in a fixed order whatever order the caller built `sources` in.
  return {
    format: manifestFormat,
    modburst: sources.modburst,
    modelCode: sources.modelCode,
    params: sources.params,
    records: sources.records.map((r) => ({ experiment: r.experiment, key: r.key })),
    files,
  };
}

export function formatManifest(m: PackManifest): string {
  return JSON.stringify(m, null, 2) + "\n";
}
