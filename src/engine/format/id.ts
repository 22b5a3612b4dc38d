/**
 * restic IDs: 32 bytes, written as 64 lowercase hex characters. Storage IDs hash the
 * stored bytes; blob IDs hash the plaintext blob.
 */
import { createHash } from 'node:crypto';

/** A 64-character lowercase hex string. Kept as a string: it is a Map key everywhere. */
export type Id = string;

const ID_PATTERN = /^[0-9a-f]{64}$/;

export function isId(s: string): s is Id {
  return ID_PATTERN.test(s);
}

export function idOf(data: Uint8Array): Id {
  return createHash('sha256').update(data).digest('hex');
}

export function shortId(id: Id): string {
  return id.slice(0, 8);
}

export const NULL_ID: Id = '0'.repeat(64);
