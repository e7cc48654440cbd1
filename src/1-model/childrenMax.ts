/**
 * udevd's default worker limit, children_max, by systemd version
 * (src/udev/udevd.c). It decides how many load requests can sleep at once, and
 * so the size of every herd on module_wq. The rules and the versions that
 * introduced them are listed in `childrenMaxRules`, newest first.
 */
import type { UdevdConfig } from "./scenario";

export interface ChildrenMaxRule {
  /** The first systemd version with this rule. */
  sinceSystemd: number;
  /** The rule as udevd.c writes it. */
  formula: string;
  limit(cpus: number, ramMiB: number): number;
}

/** udevd's cap on workers whatever the machine (WORKER_NUM_MAX). */
export const workerNumMax = 2048;

const memLimit = (ramMiB: number) => Math.max(Math.floor(ramMiB / 128), 10);

/**
 * Upstream systemd's rules (src/udev/udevd.c; commits named, each with the first
 * release that has it). Distributions backport: SUSE's v234 branch (SLES 15)
 * carries both the memory cap (5f3b66fdb6) and WORKER_NUM_MAX (8538cad002), so
 * a scenario states the version whose rule its udevd follows.
 */
export const childrenMaxRules: ChildrenMaxRule[] = [
  {
    // 88bd5a32e8 "udevd: change the default value of udev.children-max (again)".
    sinceSystemd: 243,
    formula: "MIN(MIN(2 x CPUs + 16, MAX(RAM / 128 MiB, 10)), WORKER_NUM_MAX 2048)",
    limit: (cpus, ramMiB) => Math.min(2 * cpus + 16, memLimit(ramMiB), workerNumMax),
  },
  {
    // faae64fa3d "udevd: increase default number of workers".
    sinceSystemd: 240,
    formula: "MAX(10, MIN(8 + 8 x CPUs, RAM / 128 MiB))",
    limit: (cpus, ramMiB) => Math.max(10, Math.min(8 + 8 * cpus, Math.floor(ramMiB / 128))),
  },
  {
    // e438c57a64 "systemd-udevd: limit children-max by available memory (#8668)".
    sinceSystemd: 239,
    formula: "MAX(10, MIN(8 + 2 x CPUs, RAM / 128 MiB))",
    limit: (cpus, ramMiB) => Math.max(10, Math.min(8 + 2 * cpus, Math.floor(ramMiB / 128))),
  },
  {
    sinceSystemd: 209,
    formula: "8 + 2 x CPUs",
    limit: (cpus) => 8 + 2 * cpus,
  },
];

/** The rule a udevd of this version uses. */
export function childrenMaxRule(u: UdevdConfig): ChildrenMaxRule {
  return childrenMaxRules.find((r) => u.systemd >= r.sinceSystemd) ?? childrenMaxRules[childrenMaxRules.length - 1];
}

/** children_max of this udevd on this machine. */
export function childrenMax(u: UdevdConfig, cpus: number, ramMiB: number): number {
  return childrenMaxRule(u).limit(cpus, ramMiB);
}
