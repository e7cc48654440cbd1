/** Every JSON input file is read here: capped in size, no byte-order mark, JSON, then checked against its schema. */
import type * as v from "valibot";
import { UserError } from "../errors";
import { maxJsonFileBytes, readFileCapped } from "../fsutil";
import { displayPath } from "../paths";
import { parseWith } from "./issues";

/** The parsed text of `file` (`what` names its kind in file-level errors: "scenario file"). */
export function readJsonText(file: string, what: string): unknown {
  const where = displayPath(file);
  const text = readFileCapped(file, maxJsonFileBytes, (p) => new UserError(`invalid ${what}: ${where}: ${p.detail} (allowed: a readable JSON file of at most ${maxJsonFileBytes} bytes)`));
  if (text.startsWith("\uFEFF")) throw new UserError(`invalid ${what}: ${where}: starts with a byte-order mark (allowed: UTF-8 JSON without a BOM)`);
  return parseJson(text, `${what}: ${where}`);
}

/** JSON text parsed; `where` names it in the one line when it is not JSON (a file, or FILE:LINE: grid). */
export function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(`invalid ${where}: not JSON (${(err as Error).message.split("\n")[0]})`);
  }
}

/** `file` read and checked against `schema`; every problem is one line naming the file. */
export function readJsonFile<S extends v.GenericSchema>(file: string, what: string, schema: S): v.InferOutput<S> {
  return parseWith(schema, readJsonText(file, what), displayPath(file));
}
