/**
 * restic's authenticated encryption (format section 2.1):
 * `IV(16) || AES-256-CTR(encrypt, IV, plaintext) || Poly1305-AES(mac, IV, ciphertext)`.
 *
 * Hot path of every backup and restore. seal allocates its output once and, for inputs
 * over 1 MiB, encrypts and MACs in 1 MiB pieces: each piece is MACed while still in
 * cache, and OpenSSL's temporary output stays small and is recycled by the allocator.
 * open verifies the MAC first, then decrypts in one call and returns OpenSSL's output
 * buffer itself (no copy; measured faster than decrypting in pieces into our own buffer).
 */
import { createCipheriv, randomFillSync } from 'node:crypto';
import { integrityError, invalidInput } from '../errors.ts';
import { equalBytes } from '../support/bytes.ts';
import { poly1305KeyFor, prepareKey, type MasterKey, type PreparedKey } from './master-key.ts';
import { decryptAuthenticated, IV_BYTES, MAC_BYTES, SEAL_OVERHEAD } from './ctr.ts';
import { POLY1305_PIECE_BYTES, poly1305, poly1305Stream } from './poly1305.ts';

export { IV_BYTES, MAC_BYTES, SEAL_OVERHEAD } from './ctr.ts';

function isZero(b: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < b.byteLength; i++) acc |= b[i]!;
  return acc === 0;
}

/**
 * A plain Uint8Array over its own ArrayBuffer. Large ones are left uninitialised (every
 * byte is written by seal); small ones are cheaper to allocate zero-filled.
 */
function allocOutput(n: number): Uint8Array {
  if (n <= 64 * 1024) return new Uint8Array(n);
  const b = Buffer.allocUnsafeSlow(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

/**
 * IVs come from a small buffer of CSPRNG output: one randomFillSync call costs 2-3 µs,
 * as much as the rest of sealing a small blob. IVs are public, so holding unused ones in
 * memory discloses nothing; each is handed out once and wiped from the pool.
 */
const IV_POOL_BYTES = 4096;
let ivPool = new Uint8Array(0);
let ivPoolAt = 0;

function writeRandomIv(out: Uint8Array): void {
  if (ivPoolAt + IV_BYTES > ivPool.byteLength) {
    ivPool = new Uint8Array(IV_POOL_BYTES);
    randomFillSync(ivPool);
    ivPoolAt = 0;
  }
  const iv = ivPool.subarray(ivPoolAt, ivPoolAt + IV_BYTES);
  ivPoolAt += IV_BYTES;
  if (isZero(iv)) {
    randomFillSync(out, 0, IV_BYTES); // 2^-128; restic rejects an all-zero IV
  } else {
    out.set(iv, 0);
  }
  iv.fill(0);
}

/**
 * IV || AES-256-CTR(plaintext) || Poly1305-AES MAC. Fresh random IV unless one is given
 * (tests only; it must be 16 bytes and not all zero).
 */
export function seal(key: MasterKey, plaintext: Uint8Array, iv?: Uint8Array): Uint8Array {
  const k = prepareKey(key);
  const n = plaintext.byteLength;
  const out = allocOutput(n + SEAL_OVERHEAD);
  if (iv === undefined) {
    writeRandomIv(out);
  } else {
    if (iv.byteLength !== IV_BYTES || isZero(iv)) {
      throw invalidInput(`seal: the IV must be ${IV_BYTES} bytes and not all zero`);
    }
    out.set(iv, 0);
  }
  const nonce = out.subarray(0, IV_BYTES);
  const macKey = poly1305KeyFor(k, nonce);
  try {
    const ctr = createCipheriv('aes-256-ctr', k.encrypt, nonce);
    let tag: Uint8Array;
    if (n <= POLY1305_PIECE_BYTES) {
      out.set(ctr.update(plaintext), IV_BYTES);
      tag = poly1305(out.subarray(IV_BYTES, IV_BYTES + n), macKey);
    } else {
      const mac = poly1305Stream(macKey);
      for (let at = 0; at < n; at += POLY1305_PIECE_BYTES) {
        const piece = ctr.update(plaintext.subarray(at, at + POLY1305_PIECE_BYTES));
        out.set(piece, IV_BYTES + at);
        mac.update(piece);
      }
      tag = mac.digest();
    }
    out.set(tag, IV_BYTES + n);
    return out;
  } finally {
    macKey.fill(0);
  }
}

/**
 * The MAC half of seal, for a buffer `IV || AES-256-CTR(plaintext) || 16 spare bytes`
 * encrypted elsewhere (a worker thread holding the same encrypt key): computes the
 * Poly1305-AES MAC over the ciphertext, writes it into the spare bytes and returns the
 * buffer, now exactly what seal would have produced with that IV.
 */
export function sealEncrypted(key: MasterKey, framed: Uint8Array): Uint8Array {
  if (framed.byteLength < SEAL_OVERHEAD) throw invalidInput(`sealEncrypted: ${framed.byteLength} bytes is shorter than IV and MAC`);
  const nonce = framed.subarray(0, IV_BYTES);
  if (isZero(nonce)) throw invalidInput('sealEncrypted: the IV is all zero');
  const macAt = framed.byteLength - MAC_BYTES;
  const macKey = poly1305KeyFor(prepareKey(key), nonce);
  try {
    const ciphertext = framed.subarray(IV_BYTES, macAt);
    let tag: Uint8Array;
    if (ciphertext.byteLength <= POLY1305_PIECE_BYTES) {
      tag = poly1305(ciphertext, macKey);
    } else {
      const mac = poly1305Stream(macKey);
      for (let at = 0; at < ciphertext.byteLength; at += POLY1305_PIECE_BYTES) mac.update(ciphertext.subarray(at, at + POLY1305_PIECE_BYTES));
      tag = mac.digest();
    }
    framed.set(tag, macAt);
    return framed;
  } finally {
    macKey.fill(0);
  }
}

/**
 * Why `sealed` fails authentication under `key`, or undefined when its MAC is valid:
 * too short for IV and MAC, an all-zero IV, or a MAC mismatch (checked in constant time).
 */
export function macFailure(key: MasterKey, sealed: Uint8Array): string | undefined {
  return macFailureWith(prepareKey(key), sealed);
}

function macFailureWith(k: PreparedKey, sealed: Uint8Array): string | undefined {
  if (sealed.byteLength < SEAL_OVERHEAD) {
    return `ciphertext verification failed: ${sealed.byteLength} bytes is shorter than the ${SEAL_OVERHEAD}-byte overhead`;
  }
  const nonce = sealed.subarray(0, IV_BYTES);
  if (isZero(nonce)) return 'ciphertext verification failed: the IV is all zero';
  const macAt = sealed.byteLength - MAC_BYTES;
  const macKey = poly1305KeyFor(k, nonce);
  let tag: Uint8Array;
  try {
    tag = poly1305(sealed.subarray(IV_BYTES, macAt), macKey);
  } finally {
    macKey.fill(0);
  }
  return equalBytes(tag, sealed.subarray(macAt)) ? undefined : 'ciphertext verification failed: MAC mismatch (wrong key or corrupted data)';
}

/**
 * Verifies the MAC, then decrypts. Throws ChunkvaultError(Integrity, 'ciphertext
 * verification failed ...') on a bad MAC, an input shorter than SEAL_OVERHEAD or an
 * all-zero IV.
 */
export function open(key: MasterKey, sealed: Uint8Array): Uint8Array {
  const k = prepareKey(key);
  const failure = macFailureWith(k, sealed);
  if (failure !== undefined) throw integrityError(failure);
  return decryptAuthenticated(k.encrypt, sealed);
}

/**
 * Poly1305-AES (Bernstein) of `message` with the given MAC key parts and nonce: the
 * MAC seal appends, exposed for known-answer tests.
 */
export function poly1305Aes(mac: { macK: Uint8Array; macR: Uint8Array }, nonce: Uint8Array, message: Uint8Array): Uint8Array {
  if (nonce.byteLength !== IV_BYTES) throw invalidInput(`poly1305Aes: the nonce must be ${IV_BYTES} bytes`);
  // Any valid encryption key will do: only the MAC parts are used.
  const k = prepareKey({ encrypt: new Uint8Array(32).fill(1), macK: mac.macK, macR: mac.macR });
  const macKey = poly1305KeyFor(k, nonce);
  try {
    return poly1305(message, macKey);
  } finally {
    macKey.fill(0);
  }
}
