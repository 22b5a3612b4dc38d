/**
 * The times `find --oldest/--newest` accept, restic 0.14's list: a date, a date and
 * time (to minutes or seconds), either as `2006-01-02` or `02.01.2006`, optionally with
 * a numeric zone `-0700`. Without a zone the time is local, as in restic.
 * (restic also accepts zone abbreviations, `MST`; we do not: use a numeric zone.)
 */
import { invalidInput } from '../errors.ts';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?(?: ([+-])(\d{2})(\d{2}))?$/;
const EUROPEAN = /^(\d{2})\.(\d{2})\.(\d{4})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?(?: ([+-])(\d{2})(\d{2}))?$/;

/** Nanoseconds since the epoch; throws InvalidInput naming `flag` for anything else. */
export function parseFindTime(text: string, flag: string): bigint {
  const iso = ISO.exec(text);
  const eu = iso ? null : EUROPEAN.exec(text);
  const m = iso ?? eu;
  // A zone needs seconds, as in restic's layouts.
  if (!m || (m[7] !== undefined && m[6] === undefined)) {
    throw invalidInput(`${flag}: cannot parse time ${JSON.stringify(text)}: use e.g. 2026-12-05, '2026-12-05 14:30', '2026-12-05 14:30:00 +0100' or 05.12.2026`);
  }
  const year = Number(iso ? m[1] : m[3]);
  const month = Number(m[2]);
  const day = Number(iso ? m[3] : m[1]);
  const [hour, minute, second] = [m[4], m[5], m[6]].map((v) => Number(v ?? 0)) as [number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    throw invalidInput(`${flag}: ${JSON.stringify(text)} is not a valid time`);
  }
  let ms: number;
  if (m[7] !== undefined) {
    const offsetMinutes = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
    ms = Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60_000;
  } else {
    ms = new Date(year, month - 1, day, hour, minute, second).getTime();
  }
  return BigInt(ms) * 1_000_000n;
}
