/** Retagging a snapshot document changes tags and original only, in restic's field order. */
import { describe, expect, it } from 'vitest';
import { retagSnapshotJson } from '../../src/engine/format/snapshot-retag.ts';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const text = (s: string, tags: string[], original = B) => new TextDecoder().decode(retagSnapshotJson(new TextEncoder().encode(s), tags, original));

describe('retagSnapshotJson', () => {
  it('puts tags and original where restic writes them and keeps every other byte of meaning', () => {
    const doc = `{"time":"2026-12-05T10:00:00.123456789+01:00","tree":"${A}","paths":["/d"],"hostname":"h","uid":4294967295,"program_version":"restic 0.17.0","summary":{"total_bytes_processed":9007199254740993}}`;
    expect(text(doc, ['x', '<y>'])).toBe(
      `{"time":"2026-12-05T10:00:00.123456789+01:00","tree":"${A}","paths":["/d"],"hostname":"h","uid":4294967295,"program_version":"restic 0.17.0","tags":["x","\\u003cy\\u003e"],"original":"${B}","summary":{"total_bytes_processed":9007199254740993}}`,
    );
  });

  it('replaces tags in place, keeps an original that is set, and leaves tags out when none remain', () => {
    const doc = `{"time":"t","tree":"${A}","paths":[],"tags":["old"],"original":"${A}","description":"d"}`;
    expect(text(doc, ['new'])).toBe(`{"time":"t","tree":"${A}","paths":[],"tags":["new"],"original":"${A}","description":"d"}`);
    expect(text(doc, [])).toBe(`{"time":"t","tree":"${A}","paths":[],"original":"${A}","description":"d"}`);
  });

  it('sets original when it is null or absent', () => {
    expect(text(`{"time":"t","tree":"${A}","paths":[],"original":null}`, ['a'])).toBe(`{"time":"t","tree":"${A}","paths":[],"tags":["a"],"original":"${B}"}`);
    expect(text(`{"time":"t","tree":"${A}","paths":[]}`, [])).toBe(`{"time":"t","tree":"${A}","paths":[],"original":"${B}"}`);
  });
});
