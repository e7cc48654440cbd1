/** Plain records shared by the kernel, udev and policy models. */
import type { Errno } from "./scenario";

export type ModuleState = "UNFORMED" | "COMING" | "LIVE" | "GOING";

/**
 * What finit_module returns to userspace: 0 or an errno name. "EINTR" is an
 * interruptible wait cut short by the fatal signal of udevd's event timeout
 * (-ERESTARTSYS; the task dies on the way out, so nothing is logged).
 */
export type Result = 0 | Errno | "EINTR";

/**
 * What udev logs for a request. "skipped": kmod found the module live and did
 * not load it; "killed": udevd killed the worker at its event timeout before the
 * outcome was logged (nothing logged for it).
 */
export type Outcome = "inserted" | "ebusy" | "failed" | "skipped" | "killed";

/** One step of a request's life, for timelines. */
/**
 * "gracePeriod" is a synchronize_rcu() of the failure path, "mutexWait" the
 * leader waiting for module_mutex in free_module(); "teardown" the rest of it.
 */
export type SegmentKind = "userspace" | "read" | "layout" | "wait" | "formation" | "init" | "teardown" | "gracePeriod" | "mutexWait";

export interface Segment {
  kind: SegmentKind;
  startUs: number;
  endUs: number;
}

/** One module load request: one module of one device event. */
export interface Request {
  id: number;
  module: string;
  eventId: number;
  deviceClass: string;
  worker: number;
  /** When kmod started on it. */
  startUs: number;
  /** When udev logged its outcome (-1 while in flight). */
  endUs: number;
  result: Result | null;
  outcome: Outcome | null;
  /** Whether this request ran init (a leader's full load). */
  fullLoad: boolean;
  segments: Segment[];
}

/** A module on the kernel's `modules` list. */
export interface ModuleInstance {
  name: string;
  state: ModuleState;
  leader: Request;
  /** /sys/module/NAME exists (from mod_sysfs_setup until early teardown). */
  sysfs: boolean;
}
