import { describe, expect, it } from 'vitest';
import { childPath, depthOf, idsOnPath, isInSubtree, maxDepth, moveMakesCycle, rewriteSubtreePaths } from '../src/group-paths.js';

// tree:  a ─ b ─ c        x
//            └ d
const a = { id: 'grp_a', path: '/grp_a/' };
const b = { id: 'grp_b', path: '/grp_a/grp_b/' };
const c = { id: 'grp_c', path: '/grp_a/grp_b/grp_c/' };
const d = { id: 'grp_d', path: '/grp_a/grp_b/grp_d/' };
const x = { id: 'grp_x', path: '/grp_x/' };

describe('materialised paths', () => {
  it('builds child paths and depths', () => {
    expect(childPath(null, 'grp_a')).toBe('/grp_a/');
    expect(childPath('/grp_a/', 'grp_b')).toBe('/grp_a/grp_b/');
    expect(depthOf('/grp_a/')).toBe(0);
    expect(depthOf(c.path)).toBe(2);
    expect(idsOnPath(c.path)).toEqual(['grp_a', 'grp_b', 'grp_c']);
  });

  it('tells subtrees apart by whole ids, not by string prefixes of ids', () => {
    expect(isInSubtree(c.path, b.path)).toBe(true);
    expect(isInSubtree(b.path, b.path)).toBe(true);
    expect(isInSubtree('/grp_a/grp_bb/', b.path)).toBe(false);
    expect(isInSubtree(a.path, b.path)).toBe(false);
  });

  it('detects moves that would make a cycle', () => {
    expect(moveMakesCycle(b.path, c.path)).toBe(true); // below its own child
    expect(moveMakesCycle(b.path, b.path)).toBe(true); // under itself
    expect(moveMakesCycle(a.path, d.path)).toBe(true);
    expect(moveMakesCycle(b.path, x.path)).toBe(false);
    expect(moveMakesCycle(b.path, null)).toBe(false); // to the top
    expect(moveMakesCycle(c.path, a.path)).toBe(false); // up to a grandparent
  });
});

describe('rewriteSubtreePaths', () => {
  it('moves a subtree under another root and rewrites every descendant', () => {
    expect(rewriteSubtreePaths([b, c, d], b, x.path)).toEqual([
      { id: 'grp_b', path: '/grp_x/grp_b/', depth: 1 },
      { id: 'grp_c', path: '/grp_x/grp_b/grp_c/', depth: 2 },
      { id: 'grp_d', path: '/grp_x/grp_b/grp_d/', depth: 2 },
    ]);
  });

  it('moves a subtree to the top level', () => {
    expect(rewriteSubtreePaths([b, c], b, null)).toEqual([
      { id: 'grp_b', path: '/grp_b/', depth: 0 },
      { id: 'grp_c', path: '/grp_b/grp_c/', depth: 1 },
    ]);
  });

  it('moves a whole tree below another one (depth grows)', () => {
    const updates = rewriteSubtreePaths([a, b, c, d], a, '/grp_x/grp_y/');
    expect(updates.map((u) => u.path)).toEqual([
      '/grp_x/grp_y/grp_a/',
      '/grp_x/grp_y/grp_a/grp_b/',
      '/grp_x/grp_y/grp_a/grp_b/grp_c/',
      '/grp_x/grp_y/grp_a/grp_b/grp_d/',
    ]);
    expect(maxDepth(updates)).toBe(4);
  });

  it('moves a leaf up to its grandparent', () => {
    expect(rewriteSubtreePaths([c], c, a.path)).toEqual([{ id: 'grp_c', path: '/grp_a/grp_c/', depth: 1 }]);
  });

  it('refuses cycles and nodes outside the subtree', () => {
    expect(() => rewriteSubtreePaths([b, c], b, c.path)).toThrow(/below itself/);
    expect(() => rewriteSubtreePaths([b, x], b, null)).toThrow(/not in the subtree/);
  });
});
