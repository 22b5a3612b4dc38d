/**
 * Polynomials over GF(2), stored as bigints (bit i = coefficient of x^i), as restic's
 * chunker uses them: degree, reduction, the Ben-Or irreducibility test and the
 * procedure that picks a repository's random chunker polynomial.
 *
 * BigInt is slow but only runs while building tables or picking a polynomial, never per byte.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { internalError } from '../errors.ts';

/** Index of the highest set bit; -1 for the zero polynomial. */
export function polynomialDegree(p: bigint): number {
  if (p < 0n) throw new RangeError('a GF(2) polynomial cannot be negative');
  if (p === 0n) return -1;
  return p.toString(2).length - 1;
}

/** a mod p, by long division with XOR (p must not be zero). */
export function polynomialMod(a: bigint, p: bigint): bigint {
  const dp = polynomialDegree(p);
  if (dp < 0) throw new RangeError('division by the zero polynomial');
  // Walk a's bits from the top once instead of recomputing its degree after every step.
  for (let i = polynomialDegree(a); i >= dp; i--) {
    if ((a >> BigInt(i)) & 1n) a ^= p << BigInt(i - dp);
  }
  return a;
}

/** (a * b) mod p, carry-less (Horner over b's bits, reducing as we go). */
export function polynomialMulMod(a: bigint, b: bigint, p: bigint): bigint {
  const dp = polynomialDegree(p);
  const topBit = 1n << BigInt(dp);
  a = polynomialMod(a, p);
  let res = 0n;
  for (let i = polynomialDegree(b); i >= 0; i--) {
    res <<= 1n;
    if (res & topBit) res ^= p;
    if ((b >> BigInt(i)) & 1n) res ^= a;
  }
  return res;
}

function polynomialGcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, polynomialMod(a, b)];
  return a;
}

/**
 * Ben-Or: f of degree d is irreducible iff gcd(f, x^(2^i) - x mod f) = 1 for i = 1..d/2.
 * Constants (degree < 1) are not irreducible.
 */
export function isIrreducible(p: bigint): boolean {
  const d = polynomialDegree(p);
  if (d < 1) return false;
  const x = 2n;
  let g = x; // x^(2^i) mod p, squared once per round
  for (let i = 1; i <= Math.floor(d / 2); i++) {
    g = polynomialMulMod(g, g, p);
    if (polynomialGcd(p, polynomialMod(g ^ x, p)) !== 1n) return false;
  }
  return true;
}

const RANDOM_POLYNOMIAL_MAX_TRIES = 1_000_000;

/**
 * A random irreducible polynomial of degree exactly 53, picked the way restic does
 * (chunker.RandomPolynomial): 8 random bytes read little-endian, masked to 54 bits,
 * with x^53 and 1 set, retried until irreducible.
 */
export function randomPolynomial(
  randomBytes: (n: number) => Uint8Array = cryptoRandomBytes,
): bigint {
  for (let tries = 0; tries < RANDOM_POLYNOMIAL_MAX_TRIES; tries++) {
    const bytes = randomBytes(8);
    if (bytes.byteLength < 8) throw new RangeError('randomBytes returned fewer than 8 bytes');
    let f = 0n;
    for (let i = 7; i >= 0; i--) f = (f << 8n) | BigInt(bytes[i]!);
    f &= (1n << 54n) - 1n;
    f |= (1n << 53n) | 1n;
    if (isIrreducible(f)) return f;
  }
  throw internalError('no irreducible polynomial found in 1e6 tries: is the random source broken?');
}
