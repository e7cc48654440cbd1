/**
 * The parameters calibration may move, each inside physically meaningful
 * bounds; everything else keeps its documented default. The optimiser works on
 * z = logit((x - lo) / (hi - lo)), so every candidate it can propose is inside
 * the bounds.
 */
import type { ParamName } from "../model/params";

export interface FreeParam {
  name: ParamName;
  lo: number;
  hi: number;
  /** Why these bounds. */
  why: string;
}

export const freeParams: FreeParam[] = [
  {
    name: "rcuGpMsPerFqs", lo: 2, hi: 40,
    why: "A synchronize_rcu() on a 288-CPU machine (2 FQS units) of 4-80 ms: HZ=250 jiffies are 4 ms and a grace period needs a few FQS scans; kernel-model.md estimates 10-30 ms.",
  },
  {
    name: "herdRecheckUs", lo: 1, hi: 50,
    why: "One woken waiter's re-check under module_mutex: a cross-CPU wake-up and lock hand-off (~1-10 us) plus a walk of a list of a few hundred modules; above 50 us a 288-CPU herd would hold the mutex for > 40 ms.",
  },
  {
    name: "triggerGapUs", lo: 200, hi: 30000,
    why: "Spacing of uevents reaching udevd in one phase: from a bare sysfs write (~0.2 ms) to a busy boot that takes 30 ms per device; 288 devices then span 0.06-9 s.",
  },
  {
    name: "phaseGapMs", lo: 0, hi: 20000,
    why: "Time to enumerate the devices between ACPI processors and CPU devices (PCI, platform): none to 20 s, the length of a slow coldplug.",
  },
  {
    name: "bgWakeupsPerS", lo: 0.5, hi: 500,
    why: "Other modules finishing loads during coldplug: a few hundred modules in tens of seconds gives ~1-100/s; 500/s bounds a pathological boot.",
  },
  {
    name: "bgDurationS", lo: 1, hi: 60,
    why: "How long other drivers keep loading after the first uevent: a coldplug of 1 s (a small VM) to 60 s (a slow server); it decides whether the late CPU-device phase still sees other modules' wake-ups.",
  },
];

export function toUnit(p: FreeParam, x: number): number {
  const u = (x - p.lo) / (p.hi - p.lo);
  const c = Math.min(1 - 1e-9, Math.max(1e-9, u));
  return Math.log(c / (1 - c));
}

export function fromUnit(p: FreeParam, z: number): number {
  return p.lo + (p.hi - p.lo) / (1 + Math.exp(-z));
}
