/**
 * The repository `config` (doc 3): `{"version":2,"id":"..","chunker_polynomial":"<hex>"}`.
 * Written by restic with json.Marshal: compact, no trailing newline. Never compressed.
 */
import { ChunkvaultError, ErrorCode, integrityError, internalError } from '../errors.ts';
import { asObject, bigIntField, stringField } from './fields.ts';
import { goJsonString, parseJson } from './json.ts';

export interface RepoConfig {
  /** 1 or 2. */
  version: number;
  /** Random repository ID (64 hex when restic makes it; any string is read). */
  id: string;
  /** The chunker polynomial, a uint64 (restic uses degree-53 irreducible ones). */
  chunkerPolynomial: bigint;
}

export const SUPPORTED_REPO_VERSIONS: readonly number[] = [1, 2];

/** `{"version":N,"id":"..","chunker_polynomial":"<lowercase hex, no leading zeros>"}`. */
export function serializeConfig(c: RepoConfig): Uint8Array {
  if (!SUPPORTED_REPO_VERSIONS.includes(c.version)) throw internalError(`config: unsupported version ${c.version}`);
  if (c.chunkerPolynomial < 0n || c.chunkerPolynomial > 0xffffffffffffffffn) {
    throw internalError('config: chunker polynomial out of uint64 range');
  }
  return new TextEncoder().encode(
    `{"version":${c.version},"id":${goJsonString(c.id)},"chunker_polynomial":"${c.chunkerPolynomial.toString(16)}"}`,
  );
}

const HEX_UINT = /^[0-9a-fA-F]{1,16}$/;

/**
 * Reads a config. Version 1 and 2 are accepted, anything else is an Unsupported error.
 * The polynomial is any base-16 uint64 (either case, no 0x), as Go's ParseUint reads it;
 * its irreducibility is the chunker's check, not this parser's. Integrity otherwise.
 */
export function parseConfig(bytes: Uint8Array): RepoConfig {
  const what = 'config';
  const o = asObject(parseJson(bytes, what), what);
  const version = bigIntField(o, 'version', what, 0n, 0xffffffffffffffffn);
  if (version !== 1n && version !== 2n) {
    throw new ChunkvaultError(ErrorCode.Unsupported, `unsupported repository version ${version}`);
  }
  const pol = o['chunker_polynomial'];
  if (typeof pol !== 'string' || !HEX_UINT.test(pol.replace(/^0+(?=.)/, ''))) {
    throw integrityError(`config: invalid chunker_polynomial ${typeof pol === 'string' ? JSON.stringify(pol) : typeof pol}`);
  }
  return {
    version: Number(version),
    id: stringField(o, 'id', what),
    chunkerPolynomial: BigInt('0x' + pol),
  };
}
