/**
 * The parameters calibration may move, each inside physically meaningful
 * bounds; everything else keeps its documented default. The optimiser works on
 * z = logit((x - lo) / (hi - lo)), so every candidate it can propose is inside
 * the bounds.
 */
import type { ParamName } from "../../1-model/params";

export interface FreeParam {
  name: ParamName;
  lo: number;
  hi: number;
  /** Why these bounds. */
  why: string;
}

export const freeParams: FreeParam[] = [
  {
    name: "rcuGpExtraMs", lo: 0, hi: 160,
    why: "The CPU-independent part of a grace period, beyond its first FQS wait: busy CPUs reporting late, the GP kthread waking, callbacks invoked. 0-160 ms; docs/model.md estimates a whole synchronize_rcu() of 10-30 ms on the seed's machine.",
  },
  {
    name: "herdRecheckUs", lo: 2, hi: 30,
    why: "One woken waiter's re-check under module_mutex, bounded by what it does (calibrate/variants.ts herdRecheckRangeUs): from a hand-off to a spinning waiter and a cached walk of ~150 modules (2 us) to a cross-socket wake-up of a sleeping waiter and a walk with every node a remote cache miss (30 us).",
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
    why: "Other modules finishing loads at the start of coldplug: a few hundred modules in tens of seconds gives ~1-100/s; 500/s bounds a pathological boot.",
  },
  {
    name: "bgDecayS", lo: 0.2, hi: 60,
    why: "Time constant of that rate's decay: most drivers load within the first seconds of coldplug (0.2 s, a small VM) to a minute (a slow server); it decides how many wake-ups the late CPU-device phase still sees.",
  },
  {
    name: "rcuBootSigma", lo: 0.001, hi: 0.3,
    why: "Boot-to-boot variation of the rest of a grace period, fitted to the base cells' spread (which the grace periods dominate): from none to boots whose grace periods run 1.35x longer or shorter (a lognormal sigma of 0.3).",
  },
  {
    name: "bootPaceSigma", lo: 0.005, hi: 0.6,
    why: "Boot-to-boot variation of the coldplug pace, the only parameter fitted to the measured spread: from none (0.5%) to boots whose coldplug runs 1.8x faster or slower (a lognormal sigma of 0.6).",
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
