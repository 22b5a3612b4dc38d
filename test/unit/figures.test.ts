/** The backup figures, defined once (src/report/figures.ts), and the rounding of sizes and rates. */
import { describe, expect, it } from 'vitest';
import { formatBytes, formatRate } from '../../src/engine/index.ts';
import { backupProgressLine } from '../../src/report/backup-progress.ts';
import { compressionRatio, compressionText, dedupRatio, dedupText, processingRate, ratioOutput, ratioText } from '../../src/report/figures.ts';

const MiB = 1024 * 1024;

describe('dedup and compression ratios', () => {
  it('nothing new: both n/a, never 0.00x or infinite', () => {
    const f = { bytesProcessed: 100 * MiB, dataAdded: 0, dataAddedPacked: 0 };
    expect(dedupRatio(f)).toBeUndefined();
    expect(compressionRatio(f)).toBeUndefined();
    expect(dedupText(f)).toBe('n/a (nothing new)');
    expect(compressionText(f)).toBe('n/a (nothing new)');
    expect(ratioOutput(dedupRatio(f))).toBe('');
  });

  it('nothing new but tree blobs stored: compression is not 0.00x', () => {
    expect(compressionText({ bytesProcessed: 100 * MiB, dataAdded: 0, dataAddedPacked: 1500 })).toBe('n/a (nothing new)');
  });

  it('all new: dedup 1x, compression new data over stored', () => {
    const f = { bytesProcessed: 10 * MiB, dataAdded: 10 * MiB, dataAddedPacked: 4 * MiB };
    expect(dedupText(f)).toBe('1x');
    expect(compressionText(f)).toBe('2.5x');
    expect(ratioOutput(compressionRatio(f))).toBe('2.5');
  });

  it('a tiny change in a large tree: "> 1000x", and no compression figure from a few KiB', () => {
    const f = { bytesProcessed: 115 * MiB, dataAdded: 2093, dataAddedPacked: 3500 };
    expect(dedupRatio(f)).toBeGreaterThan(57_000);
    expect(dedupText(f)).toBe('> 1000x');
    expect(compressionText(f)).toBe('n/a (under 64.0 KiB new)');
    expect(ratioOutput(dedupRatio(f))).toBe('57600');
  });

  it('rounds to three significant digits', () => {
    expect(ratioText(2.1234)).toBe('2.12x');
    expect(ratioText(36.41)).toBe('36.4x');
    expect(ratioText(0.1234)).toBe('0.123x');
  });
});

describe('sizes and rates', () => {
  it('rounds a rate of bytes to three significant digits', () => {
    expect(formatRate(125, 11_000)).toBe('11.4 B/s');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
  });

  it('measures a backup by the bytes it processed, so an unchanged one is not "0 B/s"', () => {
    expect(processingRate(20 * MiB, 2000)).toBe('10.0 MiB/s');
    const line = backupProgressLine({
      phase: 'archive',
      filesNew: 0,
      filesChanged: 0,
      filesUnmodified: 3,
      dirsNew: 0,
      dirsChanged: 0,
      dirsUnmodified: 1,
      dirs: 1,
      bytesProcessed: 20 * MiB,
      bytesRead: 0,
      bytesVerified: 0,
      errors: 0,
      bytesWritten: 0,
      dataAdded: 0,
      dataAddedPacked: 0,
      elapsedMs: 2000,
    });
    expect(line).toBe('[2.0 s] archive: 3 files, 20.0 MiB processed (10.0 MiB/s), 0 B new, 0 B added');
  });
});
