/**
 * Materialised paths of the group tree (pure; unit-tested). A group's path lists the ids from
 * its root down to itself: a root "grp_a" has path "/grp_a/", its child "grp_b" "/grp_a/grp_b/".
 * The subtree of a group is every group whose path starts with the group's path.
 */

export interface PathNode {
  id: string;
  path: string;
}

export interface PathUpdate {
  id: string;
  path: string;
  depth: number;
}

/** Path of a group with this id under a parent (null: a root group). */
export function childPath(parentPath: string | null, id: string): string {
  return `${parentPath ?? '/'}${id}/`;
}

/** Depth of a path: 0 for "/grp_a/", 1 for "/grp_a/grp_b/". */
export function depthOf(path: string): number {
  return path.split('/').filter(Boolean).length - 1;
}

/** Ids on a path, root first. */
export function idsOnPath(path: string): string[] {
  return path.split('/').filter(Boolean);
}

/** True when `path` is the group at `ancestorPath` or below it. */
export function isInSubtree(path: string, ancestorPath: string): boolean {
  return path.startsWith(ancestorPath);
}

/** True when moving the group at `movingPath` under the group at `newParentPath` would make a cycle. */
export function moveMakesCycle(movingPath: string, newParentPath: string | null): boolean {
  return newParentPath !== null && isInSubtree(newParentPath, movingPath);
}

/**
 * New paths and depths for a subtree whose root `moving` goes under `newParentPath` (null: becomes a root).
 * `subtree` must be the moving group and all its descendants. Throws on a node outside the subtree
 * or a move into the subtree itself (callers check moveMakesCycle first and answer BAD_USER_INPUT).
 */
export function rewriteSubtreePaths(subtree: PathNode[], moving: PathNode, newParentPath: string | null): PathUpdate[] {
  if (moveMakesCycle(moving.path, newParentPath)) throw new Error(`cannot move ${moving.id} below itself`);
  const newPrefix = childPath(newParentPath, moving.id);
  return subtree.map((node) => {
    if (!isInSubtree(node.path, moving.path)) throw new Error(`${node.id} is not in the subtree of ${moving.id}`);
    const path = newPrefix + node.path.slice(moving.path.length);
    return { id: node.id, path, depth: depthOf(path) };
  });
}

/** Largest depth after a rewrite (to enforce the nesting limit before writing). */
export function maxDepth(updates: PathUpdate[]): number {
  return updates.reduce((m, u) => Math.max(m, u.depth), -1);
}
