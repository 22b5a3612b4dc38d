/**
 * The shape `snapshots --json` prints, for what the integration tests cannot produce as
 * root (restic leaves uid/gid 0 out): a non-root snapshot in a negative offset; and the
 * action's provenance from the runner's variables.
 */
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '../../src/engine/format/index.ts';
import { runProvenance } from '../../src/action/provenance.ts';
import { snapshotJson } from '../../src/report/snapshot-json.ts';

const TREE = 'a'.repeat(64);
const ID = 'b'.repeat(64);

describe('snapshot JSON', () => {
  it("is restic 0.14's field order with uid and gid, the time as written, then our description", () => {
    // What restic 0.14 writes for a user in New York (json.Marshal of its Snapshot).
    const written = `{"time":"2026-03-08T01:59:59.25-05:00","tree":"${TREE}","paths":["/home/u"],"hostname":"h","username":"u","uid":1000,"gid":100,"excludes":["*.tmp"],"tags":["t"],"description":"d"}`;
    const json = snapshotJson({ id: ID, snapshot: parseSnapshot(new TextEncoder().encode(written)) });
    expect(Object.keys(json)).toEqual(['time', 'tree', 'paths', 'hostname', 'username', 'uid', 'gid', 'excludes', 'tags', 'id', 'short_id', 'description']);
    expect(json).toMatchObject({ time: '2026-03-08T01:59:59.25-05:00', uid: 1000, gid: 100, short_id: 'bbbbbbbb', description: 'd' });
  });

  it('renders +00:00 as Z, as Go does', () => {
    const json = snapshotJson({ id: ID, snapshot: parseSnapshot(new TextEncoder().encode(`{"time":"2026-01-01T00:00:00+00:00","tree":"${TREE}","paths":[]}`)) });
    expect(json.time).toBe('2026-01-01T00:00:00Z');
    expect(Object.keys(json)).toEqual(['time', 'tree', 'paths', 'id', 'short_id']);
  });
});

describe('run provenance', () => {
  it('tags the commit and ref, and describes the run', () => {
    const p = runProvenance({
      GITHUB_SHA: 'abc123',
      GITHUB_REF: 'refs/tags/v1',
      GITHUB_WORKFLOW: 'release',
      GITHUB_SERVER_URL: 'https://github.example',
      GITHUB_REPOSITORY: 'o/r',
      GITHUB_RUN_ID: '9',
      GITHUB_RUN_ATTEMPT: '1',
    });
    expect(p).toEqual({ tags: ['commit:abc123', 'ref:refs/tags/v1'], description: 'GitHub Actions run https://github.example/o/r/actions/runs/9 (workflow release, refs/tags/v1 at abc123)' });
  });

  it('leaves out a ref with a comma (it would split in tag filters) and has no description outside a run', () => {
    expect(runProvenance({ GITHUB_SHA: 'abc', GITHUB_REF: 'refs/heads/a,b' })).toEqual({ tags: ['commit:abc'] });
  });
});
