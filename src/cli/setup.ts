/** modburst setup (npm run setup, bash environment/setup.sh): see src/env/setup.ts. Arguments are ignored. */
import { setup } from "../env/setup";

export function setupCommand(_argv: string[]): number {
  setup();
  return 0;
}
