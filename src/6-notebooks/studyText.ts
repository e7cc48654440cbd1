/**
 * What notebooks say about the study they run for: the text cells narrate the
 * seed study, so a notebook executed for another study is told so first, and
 * its tables name the study's data.
 */
import { seedStudyName, Study, studyCells, studyModules, studyScenario } from "../4-studies/study";

/** How tables name the study's data: the seed's as "seed", any other by its name. */
export const studyShortName = (s: Study): string => (s.isSeed ? "seed" : s.name);

/**
 * What an executed notebook says first about a study other than the seed: the
 * text cells narrate the seed study, so the reader is told whose numbers follow.
 * Nothing for the seed (its notebooks are the seed's own document).
 */
export function studyNote(s: Study): string[] {
  if (s.isSeed) return [];
  return [
    `Executed for ${studySummary(s)}.`,
    `The text cells narrate the seed study (${seedStudyName}); every number, table and figure below is study ${s.name}'s.`,
    s.external ? "" : `Study ${s.name} has no external validation measurements: the comparisons with them are skipped.`,
  ].filter((l) => l !== "");
}

/** A one-line description for notebooks: the study, its machine, what it measured. */
export function studySummary(s: Study): string {
  const sc = studyScenario(s);
  const cells = studyCells(s);
  return (
    `study ${s.name}${s.synthetic ? " (synthetic)" : ""}: ${s.title}; ${sc.cpus} CPUs (scenario ${sc.name}); ` +
    `configurations ${Object.entries(s.configs).map(([c, p]) => (c === p ? c : `${c} (${p})`)).join(", ")}; ` +
    `modules ${studyModules(s).join(", ")}; ${cells[0].seconds.length} boots per cell`
  );
}

/** How titles cite the study's measurements (the seed's: "seed, LKML 2022-10-15"). */
export const studyCaption = (s: Study): string => (s.isSeed ? "seed, LKML 2022-10-15" : `study ${s.name}${s.synthetic ? ", synthetic" : ""}`);
