/**
 * Key files (`keys/<sha256 of the file bytes>`, restic format section 2.3): plain JSON
 * whose `data` is the master-key JSON sealed under a key derived from the password.
 */
import { randomFillSync } from 'node:crypto';
import { ChunkvaultError, ErrorCode, invalidInput, isChunkvaultError } from '../errors.ts';
import { utf8 } from '../support/bytes.ts';
import { decodeBase64Strict, encodeBase64, goJsonString, goJsonTime } from './encoding.ts';
import { KDF_SALT_BYTES, checkKdfParams, deriveUserKey, type KdfParams } from './kdf.ts';
import { decodeMasterKey, encodeMasterKey, type MasterKey } from './master-key.ts';
import { initCrypto } from './poly1305.ts';
import { IV_BYTES, SEAL_OVERHEAD, open, seal } from './seal.ts';

export interface KeyFileMeta {
  username: string;
  hostname: string;
  /** Defaults to now. Written in UTC with Go's trimmed fraction (millisecond precision). */
  created?: Date;
}

/**
 * Builds a key file: restic's exact JSON (field order, compact, no trailing newline,
 * 64-byte salt, standard padded base64). Returns its bytes; the caller stores it under
 * keys/<sha256(bytes)>. `salt` is for tests; by default it is random.
 */
export async function createKeyFile(
  master: MasterKey,
  password: string,
  meta: KeyFileMeta,
  params: KdfParams,
  salt?: Uint8Array,
): Promise<Uint8Array> {
  const created = goJsonTime(meta.created ?? new Date());
  if (created === undefined) throw invalidInput('key file: "created" must be a valid date in years 0..9999');
  checkKdfParams(params);
  let keySalt: Uint8Array;
  if (salt === undefined) {
    keySalt = new Uint8Array(KDF_SALT_BYTES);
    randomFillSync(keySalt);
  } else {
    if (salt.byteLength !== KDF_SALT_BYTES) {
      throw invalidInput(`key file: the salt must be ${KDF_SALT_BYTES} bytes, got ${salt.byteLength}`);
    }
    keySalt = salt;
  }
  const plainMaster = encodeMasterKey(master); // validates the master key
  await initCrypto();
  const userKey = await deriveUserKey(password, keySalt, params);
  const data = seal(userKey, plainMaster);
  plainMaster.fill(0);
  const text =
    `{"created":${goJsonString(created)},"username":${goJsonString(meta.username)},` +
    `"hostname":${goJsonString(meta.hostname)},"kdf":"scrypt",` +
    `"N":${params.N},"r":${params.r},"p":${params.p},` +
    `"salt":"${encodeBase64(keySalt)}","data":"${encodeBase64(data)}"}`;
  return utf8.encode(text);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A key file's JSON object; InvalidInput when the bytes are not one. */
function parseKeyFileJson(keyFile: Uint8Array): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(keyFile));
  } catch (e) {
    throw invalidInput('key file is not valid JSON', e);
  }
  if (!isObject(parsed)) throw invalidInput('key file is not a JSON object');
  return parsed;
}

function intField(obj: Record<string, unknown>, name: string): number {
  const v = obj[name];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw invalidInput(`key file: "${name}" must be an integer`);
  }
  return v;
}

function bytesField(obj: Record<string, unknown>, name: string): Uint8Array {
  const v = obj[name];
  const bytes = typeof v === 'string' ? decodeBase64Strict(v) : undefined;
  if (bytes === undefined) throw invalidInput(`key file: "${name}" must be standard padded base64`);
  return bytes;
}

/**
 * Returns the master key, or undefined when the password does not open this key (MAC
 * failure). Throws for anything else: Unsupported for a KDF other than scrypt or
 * parameters beyond our limits, InvalidInput for malformed JSON, a salt that is not 64
 * bytes, parameters restic rejects, or a master key that is not valid.
 */
export async function openKeyFile(keyFile: Uint8Array, password: string): Promise<MasterKey | undefined> {
  const parsed = parseKeyFileJson(keyFile);
  const kdfName = parsed['kdf'];
  if (kdfName !== 'scrypt') {
    throw new ChunkvaultError(
      ErrorCode.Unsupported,
      `only supported KDF is scrypt(), key file has ${typeof kdfName === 'string' ? JSON.stringify(kdfName) : 'none'}`,
    );
  }
  const params: KdfParams = { N: intField(parsed, 'N'), r: intField(parsed, 'r'), p: intField(parsed, 'p') };
  const salt = bytesField(parsed, 'salt');
  if (salt.byteLength !== KDF_SALT_BYTES) {
    throw invalidInput(`key file: the salt must be ${KDF_SALT_BYTES} bytes, got ${salt.byteLength}`);
  }
  checkKdfParams(params);
  const data = bytesField(parsed, 'data');
  if (data.byteLength < SEAL_OVERHEAD) throw invalidInput(`key file: "data" is only ${data.byteLength} bytes`);
  if (data.subarray(0, IV_BYTES).every((b) => b === 0)) throw invalidInput('key file: "data" has an all-zero IV');

  await initCrypto();
  const userKey = await deriveUserKey(password, salt, params);
  let plainMaster: Uint8Array;
  try {
    plainMaster = open(userKey, data);
  } catch (e) {
    if (isChunkvaultError(e, ErrorCode.Integrity)) return undefined; // not this password
    throw e;
  }
  try {
    return decodeMasterKey(plainMaster);
  } finally {
    plainMaster.fill(0);
  }
}

/** What `key list` shows of a key file, read without the password. */
export interface KeyFileInfo {
  username: string;
  hostname: string;
  /** `created` as written (RFC 3339). */
  created: string;
}

/** Reads a key file's plain fields; InvalidInput when it is not a key file's JSON. */
export function readKeyFileInfo(keyFile: Uint8Array): KeyFileInfo {
  const parsed = parseKeyFileJson(keyFile);
  const text = (name: string): string => {
    const v = parsed[name];
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') throw invalidInput(`key file: "${name}" must be a string`);
    return v;
  };
  return { username: text('username'), hostname: text('hostname'), created: text('created') };
}
