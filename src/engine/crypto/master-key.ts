/**
 * The repository master key (restic format section 2.2) and the per-key state that
 * seal/open reuse: cipher key objects are costly to create (about 15 µs each with a raw
 * key, against 2-3 µs with a KeyObject), which would dominate small blobs.
 */
import { createCipheriv, createSecretKey, randomFillSync } from 'node:crypto';
import type { Cipheriv, KeyObject } from 'node:crypto';
import { invalidInput, internalError } from '../errors.ts';
import { utf8 } from '../support/bytes.ts';
import { decodeBase64Strict, encodeBase64 } from './encoding.ts';

export interface MasterKey {
  /** AES-256 key for CTR mode (32 bytes). */
  readonly encrypt: Uint8Array;
  /** AES-128 key that encrypts the IV into Poly1305's `s` (16 bytes). */
  readonly macK: Uint8Array;
  /** Poly1305 `r` (16 bytes). Stored masked by restic and by us; masked again at use. */
  readonly macR: Uint8Array;
}

export const ENCRYPT_KEY_BYTES = 32;
export const MAC_K_BYTES = 16;
export const MAC_R_BYTES = 16;

const R_MASK = Uint8Array.of(
  0xff, 0xff, 0xff, 0x0f, 0xfc, 0xff, 0xff, 0x0f, 0xfc, 0xff, 0xff, 0x0f, 0xfc, 0xff, 0xff, 0x0f,
);

/** Poly1305's clamp of r, byte by byte. Returns a new array. */
export function maskR(r: Uint8Array): Uint8Array {
  const out = new Uint8Array(MAC_R_BYTES);
  for (let i = 0; i < MAC_R_BYTES; i++) out[i] = r[i]! & R_MASK[i]!;
  return out;
}

function isZero(b: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < b.byteLength; i++) acc |= b[i]!;
  return acc === 0;
}

function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  randomFillSync(b);
  return b;
}

/** Throws InvalidInput unless the parts have restic's sizes and are all non-zero. */
export function checkMasterKey(k: MasterKey): void {
  const parts: [string, Uint8Array, number][] = [
    ['encrypt', k.encrypt, ENCRYPT_KEY_BYTES],
    ['mac.k', k.macK, MAC_K_BYTES],
    ['mac.r', k.macR, MAC_R_BYTES],
  ];
  for (const [name, value, size] of parts) {
    if (!(value instanceof Uint8Array) || value.byteLength !== size) {
      throw invalidInput(`invalid key: ${name} must be ${size} bytes`);
    }
    if (isZero(value)) throw invalidInput(`invalid key: ${name} is all zero`);
  }
}

/** A new random master key: all parts non-zero, r stored masked (as restic 0.14 does). */
export function generateMasterKey(): MasterKey {
  for (;;) {
    const key: MasterKey = {
      encrypt: randomBytes(ENCRYPT_KEY_BYTES),
      macK: randomBytes(MAC_K_BYTES),
      macR: maskR(randomBytes(MAC_R_BYTES)),
    };
    if (!isZero(key.encrypt) && !isZero(key.macK) && !isZero(key.macR)) return key;
  }
}

/** restic's compact master-key JSON: `{"mac":{"k":..,"r":..},"encrypt":..}`. */
export function encodeMasterKey(k: MasterKey): Uint8Array {
  checkMasterKey(k);
  return utf8.encode(
    `{"mac":{"k":"${encodeBase64(k.macK)}","r":"${encodeBase64(k.macR)}"},"encrypt":"${encodeBase64(k.encrypt)}"}`,
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function keyField(v: unknown, name: string, size: number): Uint8Array {
  const bytes = typeof v === 'string' ? decodeBase64Strict(v) : undefined;
  if (bytes === undefined) throw invalidInput(`invalid key: ${name} is not standard base64`);
  if (bytes.byteLength !== size) throw invalidInput(`invalid key: ${name} must be ${size} bytes, got ${bytes.byteLength}`);
  return bytes;
}

/**
 * Parses the master-key JSON and validates sizes and non-zero parts. `macR` is kept
 * exactly as stored (restic-made keys store it masked), so re-encoding gives the same
 * bytes; seal/open mask it at use.
 */
export function decodeMasterKey(json: Uint8Array): MasterKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(json));
  } catch (e) {
    throw invalidInput('invalid key: master key is not valid JSON', e);
  }
  if (!isObject(parsed) || !isObject(parsed['mac'])) throw invalidInput('invalid key: master key JSON lacks "mac"');
  const key: MasterKey = {
    encrypt: keyField(parsed['encrypt'], 'encrypt', ENCRYPT_KEY_BYTES),
    macK: keyField(parsed['mac']['k'], 'mac.k', MAC_K_BYTES),
    macR: keyField(parsed['mac']['r'], 'mac.r', MAC_R_BYTES),
  };
  checkMasterKey(key);
  return key;
}

/** What seal/open need for one key, built once per MasterKey object. */
export interface PreparedKey {
  /** AES-256 key for CTR. */
  readonly encrypt: KeyObject;
  /**
   * A long-lived AES-128-ECB cipher without padding: each 16-byte update is one
   * independent block encryption, so it is reused for every IV of this key.
   */
  readonly ecb: Cipheriv;
  /** Masked r. */
  readonly r: Uint8Array;
  /** Copies of the key bytes, to notice a caller that mutated the arrays in place. */
  readonly source: { encrypt: Uint8Array; macK: Uint8Array; macR: Uint8Array };
}

const prepared = new WeakMap<MasterKey, PreparedKey>();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** The cached PreparedKey for `k`; validates the key the first time (InvalidInput). */
export function prepareKey(k: MasterKey): PreparedKey {
  const hit = prepared.get(k);
  if (
    hit !== undefined &&
    sameBytes(hit.source.encrypt, k.encrypt) &&
    sameBytes(hit.source.macK, k.macK) &&
    sameBytes(hit.source.macR, k.macR)
  ) {
    return hit;
  }
  checkMasterKey(k);
  const ecb = createCipheriv('aes-128-ecb', createSecretKey(k.macK), null);
  ecb.setAutoPadding(false);
  const p: PreparedKey = {
    encrypt: createSecretKey(k.encrypt),
    ecb,
    r: maskR(k.macR),
    source: { encrypt: k.encrypt.slice(), macK: k.macK.slice(), macR: k.macR.slice() },
  };
  prepared.set(k, p);
  return p;
}

/** Poly1305-AES one-time key for this IV: `r' || AES-128(mac.k, IV)` (32 bytes). */
export function poly1305KeyFor(p: PreparedKey, iv: Uint8Array): Uint8Array {
  const s = p.ecb.update(iv);
  if (s.byteLength !== 16) throw internalError(`AES-128 block gave ${s.byteLength} bytes`);
  const key = new Uint8Array(32);
  key.set(p.r, 0);
  key.set(s, 16);
  s.fill(0);
  return key;
}
