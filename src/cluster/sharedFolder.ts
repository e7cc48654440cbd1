/**
 * The tasks run the submitter's checkout and write into its run folder, so both
 * must be visible on every compute node at the same path: a shared filesystem.
 * Checked twice:
 * - before submitting (here): a folder on a node-local filesystem (tmpfs,
 *   ramfs, or under /tmp, /var/tmp, /dev/shm, /run) is refused unless every
 *   node of the cluster (sinfo) is this host;
 * - on the node (jobScript.ts): the task reads the run folder's token first and
 *   fails at once with a line saying the folder is not visible.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { displayPath } from "../core/paths";
import { UserError } from "../core/errors";

const nodeLocalRoots = ["/tmp", "/var/tmp", "/dev/shm", "/run"];
const nodeLocalTypes = new Set(["tmpfs", "ramfs"]);

/** The filesystem type of the mount holding `file` (the longest mount point above it), from /proc/mounts. */
export function filesystemType(file: string): string | null {
  let mounts: string;
  try {
    mounts = fs.readFileSync("/proc/mounts", "utf8");
  } catch {
    return null;
  }
  let best: { point: string; type: string } | null = null;
  for (const line of mounts.split("\n")) {
    const [, point, type] = line.split(" ");
    if (point === undefined || type === undefined) continue;
    const p = point.replace(/\\040/g, " ");
    if ((file === p || file.startsWith(p.endsWith("/") ? p : p + "/")) && (best === null || p.length > best.point.length)) best = { point: p, type };
  }
  return best?.type ?? null;
}

/** Why `dir` is local to this node, or null: a node-local root above it, or a memory filesystem. */
export function nodeLocalReason(dir: string): string | null {
  let real = path.resolve(dir);
  try {
    real = fs.realpathSync(real);
  } catch {
    // Not created yet: its spelling decides.
  }
  const root = nodeLocalRoots.find((r) => real === r || real.startsWith(r + "/"));
  if (root) return `under ${root}`;
  const type = filesystemType(real);
  if (type !== null && nodeLocalTypes.has(type)) return `on a ${type} filesystem`;
  return null;
}

/** True when every node name is this host (a single-node cluster on this machine). */
export function clusterIsThisHost(nodes: string[]): boolean {
  const me = new Set([os.hostname(), os.hostname().split(".")[0], "localhost"]);
  return nodes.length > 0 && nodes.every((n) => me.has(n) || me.has(n.split(".")[0]));
}

/** Refuse a checkout or run folder the compute nodes cannot see (see the module's comment). */
export function checkSharedFolders(what: string, folders: Array<{ flag: string; dir: string }>, nodes: string[]): void {
  if (clusterIsThisHost(nodes)) return;
  for (const { flag, dir } of folders) {
    const reason = nodeLocalReason(dir);
    if (reason !== null) {
      throw new UserError(`${what}: invalid ${flag}: ${displayPath(dir)} is ${reason}, which the cluster's other nodes (${nodes.slice(0, 3).join(", ")}${nodes.length > 3 ? ", ..." : ""}) cannot see (allowed: a folder on a filesystem shared with the compute nodes)`);
    }
  }
}
