/** Notebook 03's structural-variants table and the sentence on which choice moves the large-machine answer most. */
import { variantShifts, VariantPrediction } from "../../3-experiments/records/variantPredictions";

/**
 * One variant per row: what it assumes, its fit on the study's machine (worst
 * unseen cell's error, flagged or not), its mean base span per module at each
 * predicted CPU count (columns `<module><cpus>Seconds`, the module without its
 * "_cpufreq"), and the mean killed events per boot at each CPU count.
 */
export function variantRows(vs: VariantPrediction[]) {
  return vs.map((v) => {
    const row: Record<string, string | number> = {
      variant: v.name,
      assumes: v.summary,
      [`worstUnseenErrorPct${v.fit.cpus}`]: v.fit.worstUnseenErrorPct,
      flagged: v.fit.flagged ? `yes${v.fit.converged ? "" : " (not converged)"}` : "no",
    };
    for (const p of v.points) for (const [m, s] of Object.entries(p.spanSeconds)) row[`${m.replace(/_cpufreq$/, "")}${p.cpus}Seconds`] = s;
    row[`killedPerBoot${v.points.map((p) => p.cpus).join("/")}`] = v.points.map((p) => p.killedEvents.toFixed(0)).join(" / ");
    return row;
  });
}

/** Which structural choice moves `module`'s predicted base span at `cpus` most, in words, from the records. */
export function variantShiftSentence(vs: VariantPrediction[], cpus: number, module: string): string {
  const shifts = variantShifts(vs, cpus, module);
  if (shifts.length === 0) {
    return `Only the reference structure has a calibration record here (run \`modburst calibrate --variant NAME\` for the others), so no structural choice can be compared at ${cpus} CPUs.`;
  }
  const [top, ...rest] = shifts;
  const pct = (x: number) => `${x >= 0 ? "+" : ""}${x.toFixed(0)}%`;
  const others = rest.map((s) => `${s.name} ${pct(s.shiftPct)}`).join(", ");
  return (
    `At ${cpus} CPUs the choice that moves ${module}'s base span most is ${top.name} (${top.summary}): ` +
    `${top.variantSeconds.toFixed(0)} s against the reference's ${top.referenceSeconds.toFixed(0)} s (${pct(top.shiftPct)})` +
    (others ? `; the others: ${others}.` : ".")
  );
}
