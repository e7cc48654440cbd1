/**
 * Vertical marks on a span-vs-CPU figure where a mechanism that acts only at
 * scale starts to matter (records/scaleMarkers.ts): udevd's event timeout,
 * children_max at its cap, each step of the FQS delay d. They are layout shapes
 * spanning the plot's height (yref "paper"), so they never change an axis range,
 * and each kind has one legend entry saying what it is (no text on the lines:
 * the cap and the timeout can fall a few CPUs apart, 1016 and 1024 for the seed). Only marks inside the
 * figure's CPU range (the smallest to the largest CPU count it plots) are drawn.
 */
import type { ScaleMarkers } from "../../3-experiments/records/scaleMarkers";

export type Shape = Record<string, unknown>;

const vline = (cpus: number, line: Record<string, unknown>, extra: Record<string, unknown>): Shape => ({
  type: "line", xref: "x", yref: "paper", x0: cpus, x1: cpus, y0: 0, y1: 1, layer: "below", line, ...extra,
});

/** The legend names of the marks, for tests and readers of the spec. */
export const markerNames = {
  timeout: (m: NonNullable<ScaleMarkers["timeout"]>) =>
    `udevd's ${m.eventTimeoutS} s event timeout: base boots have killed events from ${m.cpus} CPUs${m.previousCpus !== null ? ` (none at ${m.previousCpus})` : ""}`,
  cap: (m: NonNullable<ScaleMarkers["childrenMaxCap"]>) => `children_max reaches its cap (${m.workers} workers, ${m.cause}; systemd ${m.systemd}) at ${m.cpus} CPUs`,
  fqs: (hz: number) => `RCU's FQS delay d = 1 + nr_cpu_ids/256 jiffies (HZ=${hz}) steps up by a jiffy`,
};

/** The shapes of `m` inside [min, max] of `cpus` (the CPU counts the figure plots). */
export function scaleMarkerShapes(m: ScaleMarkers | undefined, cpus: number[]): Shape[] {
  if (!m || cpus.length === 0) return [];
  const lo = Math.min(...cpus);
  const hi = Math.max(...cpus);
  const inside = (c: number) => c >= lo && c <= hi;
  const shapes: Shape[] = [];
  const steps = m.fqsSteps.filter((s) => inside(s.cpus));
  steps.forEach((s, i) =>
    shapes.push(vline(s.cpus, { color: "#c4b5e0", width: 1 }, { name: markerNames.fqs(m.hz), legendgroup: "fqs-steps", showlegend: i === 0 })),
  );
  if (m.childrenMaxCap && inside(m.childrenMaxCap.cpus)) {
    shapes.push(vline(m.childrenMaxCap.cpus, { color: "#444444", width: 2, dash: "dot" }, { name: markerNames.cap(m.childrenMaxCap), showlegend: true }));
  }
  if (m.timeout && inside(m.timeout.cpus)) {
    shapes.push(vline(m.timeout.cpus, { color: "#CC0000", width: 2, dash: "dash" }, { name: markerNames.timeout(m.timeout), showlegend: true }));
  }
  return shapes;
}
