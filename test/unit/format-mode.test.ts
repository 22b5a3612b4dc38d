import { describe, expect, it } from 'vitest';
import {
  GoMode,
  goModeFromUnix,
  nodeTypeFromUnix,
  unixModeFromGoMode,
  unixPermFromGoMode,
} from '../../src/engine/format/index.ts';

const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const S_IFIFO = 0o010000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFSOCK = 0o140000;

describe('Go FileMode', () => {
  it('gives the values of the mode table in doc 7.3', () => {
    expect(goModeFromUnix(S_IFDIR | 0o755)).toBe(2147484141);
    expect(goModeFromUnix(S_IFDIR | 0o1777)).toBe(2148532735);
    expect(goModeFromUnix(S_IFREG | 0o644)).toBe(420);
    expect(goModeFromUnix(S_IFREG | 0o4755)).toBe(8389101);
    expect(goModeFromUnix(S_IFLNK | 0o777)).toBe(134218239);
    expect(goModeFromUnix(S_IFIFO | 0o644)).toBe(33554852);
    expect(goModeFromUnix(S_IFCHR | 0o666)).toBe((1 << 26) + (1 << 21) + 0o666);
    expect(goModeFromUnix(S_IFBLK | 0o660)).toBe((1 << 26) + 0o660);
    expect(goModeFromUnix(S_IFSOCK | 0o755)).toBe((1 << 24) + 0o755);
  });

  it('maps setuid, setgid and sticky to Go bit positions and is never negative', () => {
    expect(goModeFromUnix(S_IFREG | 0o2755)).toBe(GoMode.Setgid + 0o755);
    expect(goModeFromUnix(S_IFDIR | 0o7777)).toBe(GoMode.Dir + GoMode.Setuid + GoMode.Setgid + GoMode.Sticky + 0o777);
    expect(goModeFromUnix(S_IFDIR | 0o7777)).toBeGreaterThan(0);
    expect(goModeFromUnix(BigInt(S_IFDIR | 0o755))).toBe(2147484141);
  });

  it('gives the chmod argument back, special bits included', () => {
    expect(unixPermFromGoMode(2147484141)).toBe(0o755);
    expect(unixPermFromGoMode(2148532735)).toBe(0o1777);
    expect(unixPermFromGoMode(8389101)).toBe(0o4755);
    expect(unixPermFromGoMode(GoMode.Setgid + 0o700)).toBe(0o2700);
    expect(unixPermFromGoMode(134218239)).toBe(0o777);
  });

  it('round-trips every file type with every special bit combination', () => {
    for (const type of [S_IFREG, S_IFDIR, S_IFLNK, S_IFIFO, S_IFCHR, S_IFBLK, S_IFSOCK]) {
      for (const special of [0, 0o1000, 0o2000, 0o4000, 0o7000]) {
        for (const perm of [0, 0o600, 0o755, 0o777]) {
          const unix = type | special | perm;
          expect(unixModeFromGoMode(goModeFromUnix(unix))).toBe(unix);
          expect(unixPermFromGoMode(goModeFromUnix(unix))).toBe(special | perm);
        }
      }
    }
  });

  it('names the node type of each file type', () => {
    expect(nodeTypeFromUnix(S_IFREG | 0o644)).toBe('file');
    expect(nodeTypeFromUnix(S_IFDIR | 0o755)).toBe('dir');
    expect(nodeTypeFromUnix(S_IFLNK | 0o777)).toBe('symlink');
    expect(nodeTypeFromUnix(S_IFBLK)).toBe('dev');
    expect(nodeTypeFromUnix(S_IFCHR)).toBe('chardev');
    expect(nodeTypeFromUnix(S_IFIFO)).toBe('fifo');
    expect(nodeTypeFromUnix(S_IFSOCK)).toBe('socket');
    expect(nodeTypeFromUnix(0o644)).toBeUndefined();
    expect(nodeTypeFromUnix(0o170000)).toBeUndefined();
  });
});
