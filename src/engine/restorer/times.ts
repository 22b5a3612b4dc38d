/**
 * Setting a node's nanosecond timestamps through Node's fs.utimes family, which takes
 * seconds as a double: libuv splits it into `tv_sec = trunc(t)` and
 * `tv_nsec = trunc((t - tv_sec) * 1e9)` for utimensat. A double near today's epoch
 * (2^30..2^31 s) has a resolution of 2^-22 s, so only about one nanosecond value in 238
 * can be set exactly. We pick, among the doubles next to the wanted time, the one whose
 * truncation lands closest: exact when the value is reachable (e.g. any time that was
 * itself set through Node, or whole microseconds that fall on the grid), otherwise within
 * 119 ns for dates 2004..2038 (within 60 ns before 2004).
 * Node treats negative times as "now", so times before 1970 are set to the epoch.
 */

const NS_PER_SECOND = 1_000_000_000n;
/** Candidates around the first guess, nearest first. */
const STEPS = [0, -1, 1, -2, 2, -3, 3, -4, 4];
const view = new DataView(new ArrayBuffer(8));

/** The double `steps` representable values above (or below) `x`, for x > 0 (bit pattern arithmetic). */
function neighbour(x: number, steps: number): number {
  view.setFloat64(0, x);
  let hi = view.getUint32(0);
  let lo = view.getUint32(4) + steps;
  if (lo < 0) {
    lo += 0x1_0000_0000;
    hi -= 1;
  } else if (lo > 0xffff_ffff) {
    lo -= 0x1_0000_0000;
    hi += 1;
  }
  view.setUint32(0, hi);
  view.setUint32(4, lo);
  return view.getFloat64(0);
}

/** The nanoseconds since the epoch that libuv sets for `seconds` (seconds ≥ 0). */
export function nsSetBy(seconds: number): bigint {
  const whole = Math.trunc(seconds);
  return BigInt(whole) * NS_PER_SECOND + BigInt(Math.trunc((seconds - whole) * 1e9));
}

/** The seconds value for fs.utimes/futimes/lutimes that sets `ns` as closely as possible. */
export function utimeSeconds(ns: bigint): number {
  if (ns <= 0n) return 0;
  const whole = ns / NS_PER_SECOND;
  const wantFrac = Number(ns % NS_PER_SECOND);
  const wholeSeconds = Number(whole);
  const first = wholeSeconds + wantFrac / 1e9;
  let best = wholeSeconds;
  let bestError = wantFrac;
  for (const step of STEPS) {
    const candidate = step === 0 ? first : neighbour(first, step);
    if (Math.trunc(candidate) !== wholeSeconds) continue;
    const error = Math.abs(Math.trunc((candidate - wholeSeconds) * 1e9) - wantFrac);
    if (error < bestError) {
      best = candidate;
      bestError = error;
      if (error === 0) break;
    }
  }
  return best;
}
