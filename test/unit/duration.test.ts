import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/engine/support/duration.ts';

describe('parseDuration', () => {
  it('reads single and combined units', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('26h')).toBe(26 * 3_600_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration(' 2d ')).toBe(172_800_000);
  });

  it('refuses anything else with a message that shows the expected form', () => {
    for (const bad of ['', '15', 'm', '15 minutes', '1h 30m', '-5m', '5y']) {
      expect(() => parseDuration(bad, 'max-rto')).toThrow(`max-rto: '${bad}' is not a duration: use a number and a unit ms, s, m, h, d or w, such as 90s, 15m or 1h30m`);
    }
  });
});
