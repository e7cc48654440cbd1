/**
 * What a load policy may ask of the kernel's module loader: the narrow view
 * policies/ are written against. kernel.ts implements it; policies never see
 * the Kernel class, so the two modules do not import each other.
 */
import type { ProcessGenerator } from "./sim/engine";
import type { Event } from "./sim/engine";
import type { Completion } from "./sim/resources";
import type { ModuleInstance, Request, Result } from "./types";

export type { ModuleInstance, ModuleState, Request, Result } from "./types";

/** What a duplicate check decides: become the leader, finish with a result, or sleep on module_wq. */
export type Decision = "leader" | "sleep" | Result;

/** A duplicate check: what to do given the module's current entry on the `modules` list (if any). */
export type DuplicateCheck = (old: ModuleInstance | undefined) => Decision;

export interface Loader {
  /** A short critical section of `req` under module_mutex; `fn` runs at its end. */
  locked<T>(req: Request, fn: () => T): ProcessGenerator<T>;
  /**
   * add_unformed_module's duplicate check: decide under module_mutex; on "sleep",
   * wait on module_wq and let every wake-up re-check with `recheck` until it
   * decides otherwise. Returns "leader" (inserted as UNFORMED) or a result.
   */
  addUnformed(req: Request, first: DuplicateCheck, recheck?: DuplicateCheck): ProcessGenerator<"leader" | Result>;
  /** A fresh one-shot completion on this loader's clock (for tables of loads in flight). */
  completion<T>(): Completion<T>;
  /**
   * `req` waits for `c` interruptibly (wait_for_completion_interruptible): the
   * completion's value, or "EINTR" when udevd's event timeout kills its worker first.
   */
  waitFor<T>(req: Request, c: Completion<T>): Event<T | "EINTR">;
}
