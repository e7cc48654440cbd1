/**
 * The test suite's throwaway single-node Slurm: src/cluster/localCluster.ts
 * (the bench and bin/with-local-slurm.js start the same one). It starts the
 * real daemons in a temp folder on free ports, and stop() kills the PIDs it
 * started, waits until they are gone and removes the folder. Without Slurm
 * installed, startCluster() throws, saying to run `npm run setup -- --slurm`:
 * the suite fails, never skips.
 */
export type { Cluster } from "../../src/cluster/localCluster";
export { notInstalled, processesUsing, requireSlurm, startCluster } from "../../src/cluster/localCluster";
