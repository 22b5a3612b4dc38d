/**
 * Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01), the
 * way Go's time package counts: any year, negative ones included, and out-of-range
 * months and days normalised as `time.Date` does (January 31 plus one month is March 3).
 */

export interface CivilDate {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
}

/** Days since 1970-01-01 of year-month-day. `month` and `day` may be out of range: they carry over. */
export function daysFromCivil(year: number, month: number, day: number): number {
  // Go's Date: the month (0-based) carries into the year, the day is a plain offset from day 1.
  let m0 = month - 1;
  const carry = Math.floor(m0 / 12);
  year += carry;
  m0 -= carry * 12;
  return daysOfFirst(year, m0 + 1) + day - 1;
}

/** Days since 1970-01-01 of the first day of a valid month. */
function daysOfFirst(year: number, month: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5);
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

export function civilFromDays(days: number): CivilDate {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** ISO 8601 week-numbering year and week (1..53) of a day, as Go's `Time.ISOWeek`. */
export function isoWeek(days: number): { year: number; week: number } {
  // 1970-01-01 was a Thursday. ISO weekday: Monday 1 .. Sunday 7.
  const weekday = ((((days + 3) % 7) + 7) % 7) + 1;
  // A week belongs to the year that holds its Thursday.
  const thursday = days - weekday + 4;
  const year = civilFromDays(thursday).year;
  const week = Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1;
  return { year, week };
}
