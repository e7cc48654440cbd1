import type { ProcessGenerator } from "../sim/engine";
import type { Loader, Request, Result } from "../loader";

/**
 * A load policy: what a duplicate request does while a same-name load is in
 * flight. Hooks run at the three places the kernel versions differ; a policy
 * that returns a result from a hook ends the request there. Hooks see the
 * kernel only as a Loader (loader.ts): what the versions differ in, no more.
 */
export interface Policy {
  name: string;
  /** One line for tables and legends. */
  summary: string;
  /** The kernel this policy models, as notebook 00's table names it ("v6.2"). */
  kernel: string;
  /** The commit that introduced the behaviour, or how the tree differs from one. */
  commit: string;
  /** In finit_module, before (a) reads the file. */
  beforeRead?(k: Loader, req: Request): ProcessGenerator<Result | null>;
  /** After (a), once the module name is known, before (b) allocates the image. */
  afterName?(k: Loader, req: Request): ProcessGenerator<Result | null>;
  /** add_unformed_module's duplicate check, after (b). */
  addUnformed(k: Loader, req: Request): ProcessGenerator<"leader" | Result>;
  /** Every request's end, with its result. */
  onDone?(k: Loader, req: Request, r: Result): void;
}
