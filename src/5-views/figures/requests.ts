/** Notebook 00's figure: how many load requests a machine's coldplug makes per module. */
import type { Scenario } from "../../1-model/scenario";
import { requestsPerCpu } from "../../1-model/scenarios";
import { Figure } from "./spec";
import { maxOf } from "../../core/arrays";

export function requestsPerBootFigure(s: Scenario): Figure {
  const perCpu = requestsPerCpu(s);
  const counts = Object.entries(perCpu).map(([module, n]) => ({ module, count: n * s.cpus }));
  const top = maxOf(counts.map((c) => c.count));
  return {
    data: counts.map((c) => ({
      type: "bar",
      name: c.module,
      x: [c.module],
      y: [c.count],
      text: [String(c.count)],
      textposition: "outside",
    })),
    layout: {
      title: { text: `Load requests per boot on a ${s.cpus}-CPU machine` },
      xaxis: { title: { text: "module" } },
      yaxis: { title: { text: "load requests per boot (count)" }, range: [0, top * 1.13] },
      legend: { title: { text: "module" } },
      width: 640,
      height: 400,
    },
  };
}
