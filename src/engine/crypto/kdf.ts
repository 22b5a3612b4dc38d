/**
 * scrypt user-key derivation for key files (restic format section 2.3).
 *
 * Node's scrypt has a default `maxmem` of 32 MiB, which fails at restic's usual
 * N = 32768, r = 8 (needs 32 MiB + a little). We pass an explicit ceiling and check the
 * parameters ourselves first, so an untrusted key file cannot make us allocate or spin
 * for long.
 */
import { scrypt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ChunkvaultError, ErrorCode, invalidInput } from '../errors.ts';
import { maskR, type MasterKey } from './master-key.ts';

export interface KdfParams {
  N: number;
  r: number;
  p: number;
}

/** restic requires exactly 64 bytes of salt. */
export const KDF_SALT_BYTES = 64;
/** scrypt output: encrypt (32) || mac.k (16) || mac.r (16). */
export const KDF_OUTPUT_BYTES = 64;

/** restic's fallback when calibration fails. */
export const FALLBACK_KDF_PARAMS: Readonly<KdfParams> = Object.freeze({ N: 16384, r: 8, p: 1 });

/**
 * Our own ceilings, on top of restic's validity rules. restic's rules still allow about
 * 2 GiB of memory and hours of work; these allow 32x restic's default memory
 * (N = 2^20 at r = 8) and N·r·p up to 2^28, about a minute here
 * (restic's default N = 32768, r = 8 with p up to 1024).
 */
export const MAX_SCRYPT_MEMORY_BYTES = 2 ** 30 + 2 ** 26;
export const MAX_SCRYPT_WORK = 2 ** 28;

const MAX_INT = 2 ** 31 - 1; // simple-scrypt's maxInt

/** The memory OpenSSL (hence Node) needs for these parameters: 128·r·(N + 2) + 128·r·p. */
export function scryptMemoryBytes(params: KdfParams): number {
  return 128 * params.r * (params.N + 2) + 128 * params.r * params.p;
}

function isValidForRestic({ N, r, p }: KdfParams): boolean {
  if (!Number.isSafeInteger(N) || !Number.isSafeInteger(r) || !Number.isSafeInteger(p)) return false;
  // simple-scrypt's Params.Check, as restic's KDF() applies it
  if (N > MAX_INT || N <= 1 || N % 2 !== 0) return false;
  if (r < 1 || r > MAX_INT) return false;
  if (p < 1 || p > MAX_INT) return false;
  const maxIntOver128 = Math.floor(MAX_INT / 128);
  if (r * p >= 2 ** 30 || r > Math.floor(maxIntOver128 / p) || r > Math.floor(MAX_INT / 256) || N > Math.floor(maxIntOver128 / r)) {
    return false;
  }
  // golang.org/x/crypto/scrypt: N must be a power of two (N < 2^31 here, so & is safe)
  return (N & (N - 1)) === 0;
}

/**
 * Validates scrypt parameters before anything is allocated. Throws InvalidInput for
 * parameters restic itself rejects, Unsupported for valid ones beyond our ceilings.
 */
export function checkKdfParams(params: KdfParams): void {
  if (!isValidForRestic(params)) {
    throw invalidInput(`invalid scrypt parameters N=${params.N} r=${params.r} p=${params.p}`);
  }
  const memory = scryptMemoryBytes(params);
  const work = params.N * params.r * params.p;
  if (memory > MAX_SCRYPT_MEMORY_BYTES || work > MAX_SCRYPT_WORK) {
    throw new ChunkvaultError(
      ErrorCode.Unsupported,
      `scrypt parameters N=${params.N} r=${params.r} p=${params.p} exceed our limits ` +
        `(${memory} bytes of ${MAX_SCRYPT_MEMORY_BYTES}, N·r·p ${work} of ${MAX_SCRYPT_WORK})`,
    );
  }
}

function runScrypt(password: Uint8Array, salt: Uint8Array, params: KdfParams): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    scrypt(
      password,
      salt,
      KDF_OUTPUT_BYTES,
      { N: params.N, r: params.r, p: params.p, maxmem: MAX_SCRYPT_MEMORY_BYTES },
      (err, key) => {
        if (err !== null) {
          reject(new ChunkvaultError(ErrorCode.Unsupported, `scrypt failed: ${err.message}`, { cause: err }));
        } else {
          resolve(new Uint8Array(key.buffer, key.byteOffset, key.byteLength));
        }
      },
    );
  });
}

/** restic's KDF: scrypt(UTF-8 password, 64-byte salt, N, r, p) → 64 bytes. */
export async function kdf(password: string, salt: Uint8Array, params: KdfParams): Promise<Uint8Array> {
  if (salt.byteLength !== KDF_SALT_BYTES) {
    throw invalidInput(`scrypt salt must be ${KDF_SALT_BYTES} bytes, got ${salt.byteLength}`);
  }
  checkKdfParams(params);
  return runScrypt(Buffer.from(password, 'utf8'), salt, params);
}

/** The user key that wraps the master key in a key file: kdf output split 32/16/16, r masked. */
export async function deriveUserKey(password: string, salt: Uint8Array, params: KdfParams): Promise<MasterKey> {
  const out = await kdf(password, salt, params);
  const key: MasterKey = {
    encrypt: out.slice(0, 32),
    macK: out.slice(32, 48),
    macR: maskR(out.subarray(48, 64)),
  };
  out.fill(0);
  return key;
}

const CALIBRATION_TARGET_MS = 500;
const CALIBRATION_MEMORY_BYTES = 60 * 1024 * 1024;

async function timeOnce(salt: Uint8Array, params: KdfParams): Promise<number> {
  const start = performance.now();
  await runScrypt(Buffer.from('weakpassword'), salt, params);
  return performance.now() - start;
}

async function calibrate(): Promise<KdfParams> {
  const salt = new Uint8Array(KDF_SALT_BYTES).fill(0x5a); // the value does not matter for timing
  const r = 8;
  // Largest power of two with 128·r·N below the memory budget: 32768.
  let N = 1;
  while (128 * r * N < CALIBRATION_MEMORY_BYTES) N *= 2;
  N /= 2;
  // N is never lowered for time: a busy runner measuring slowly must not weaken the key
  // (restic's calibration likewise never goes below its starting parameters).
  let ms = await timeOnce(salt, { N, r, p: 1 });
  const maxP = Math.max(1, Math.floor(MAX_SCRYPT_WORK / (N * r)));
  let p = Math.min(maxP, Math.max(1, Math.floor(CALIBRATION_TARGET_MS / ms)));
  ms = await timeOnce(salt, { N, r, p });
  // The estimate from p = 1 can overshoot under load: scale p down until it fits.
  while (ms > CALIBRATION_TARGET_MS && p > 1) {
    p = Math.max(1, Math.floor(CALIBRATION_TARGET_MS / (ms / p)));
    ms = await timeOnce(salt, { N, r, p });
  }
  const params = { N, r, p };
  checkKdfParams(params);
  return params;
}

let calibrated: Promise<KdfParams> | undefined;

/**
 * restic-like calibration, once per process: r = 8, N = 32768 (the largest power of two
 * under 60 MiB, whatever the machine's speed), p chosen so one derivation takes about
 * 500 ms (at least 1). Falls back to N=16384 r=8 p=1 on error.
 */
export function calibrateKdf(): Promise<KdfParams> {
  calibrated ??= calibrate().catch(() => ({ ...FALLBACK_KDF_PARAMS }));
  return calibrated.then((p) => ({ ...p }));
}
