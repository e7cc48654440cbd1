/**
 * The seed's machine and the model's input limits, defined once: every flag,
 * scenario file, grid and notebook checks against these.
 */

/** The seed's machine has 288 CPUs (data/studies/pavlu-2022-10-15/scenario.json; a test keeps the two in step). */
export const seedMachineCpus = 288;

/** Largest machine the model accepts (the herd and the event heap are sized for it). */
export const maxCpus = 16384;

/** Longest init-failure latency accepted anywhere: an hour, far beyond any driver's probe timeout. */
export const maxInitLatencyMs = 3_600_000;
