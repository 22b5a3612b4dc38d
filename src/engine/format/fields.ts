/**
 * Field readers for documents produced by {@link parseJson}, following Go's decoding
 * rules as far as restic depends on them: a missing field or JSON `null` leaves the zero
 * value, unknown fields are ignored, a value of the wrong JSON type is an error.
 * Every failure is an Integrity error naming the document and field.
 */
import { integrityError } from '../errors.ts';
import type { Id } from './id.ts';
import { GO_ZERO_TIME_NS, parseTime } from './time.ts';

export type JsonObject = Record<string, unknown>;

export const MAX_UINT32 = 0xffffffffn;
export const MAX_UINT64 = 0xffffffffffffffffn;
export const MAX_INT64 = 0x7fffffffffffffffn;

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'bigint') return 'integer';
  return typeof v;
}

export function asObject(v: unknown, what: string): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw integrityError(`${what}: expected an object, got ${typeName(v)}`);
  }
  return v as JsonObject;
}

/** An array, or [] for missing/null. */
export function arrayField(o: JsonObject, key: string, what: string): unknown[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw integrityError(`${what}: "${key}" must be an array, got ${typeName(v)}`);
  return v;
}

/** An array, or null for missing/null (Go nil slice). */
export function nullableArrayField(o: JsonObject, key: string, what: string): unknown[] | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v)) throw integrityError(`${what}: "${key}" must be an array, got ${typeName(v)}`);
  return v;
}

export function stringValue(v: unknown, what: string): string {
  if (typeof v !== 'string') throw integrityError(`${what}: expected a string, got ${typeName(v)}`);
  return v;
}

/** A string, or '' for missing/null. */
export function stringField(o: JsonObject, key: string, what: string): string {
  const v = o[key];
  if (v === undefined || v === null) return '';
  return stringValue(v, `${what} "${key}"`);
}

export function boolField(o: JsonObject, key: string, what: string): boolean {
  const v = o[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw integrityError(`${what}: "${key}" must be a boolean, got ${typeName(v)}`);
  return v;
}

/** An integer in [min, max] as bigint; 0n for missing/null. */
export function bigIntField(o: JsonObject, key: string, what: string, min: bigint, max: bigint): bigint {
  const v = o[key];
  if (v === undefined || v === null) return 0n;
  if (typeof v !== 'bigint') {
    throw integrityError(`${what}: "${key}" must be an integer, got ${typeName(v)} ${String(v)}`);
  }
  if (v < min || v > max) throw integrityError(`${what}: "${key}" out of range: ${v}`);
  return v;
}

/** An unsigned integer no larger than `max` (at most 2^53-1) as number; 0 for missing/null. */
export function uintField(o: JsonObject, key: string, what: string, max: bigint = BigInt(Number.MAX_SAFE_INTEGER)): number {
  return Number(bigIntField(o, key, what, 0n, max));
}

/** A signed integer within the safe range as number; 0 for missing/null. */
export function intField(o: JsonObject, key: string, what: string): number {
  return Number(bigIntField(o, key, what, BigInt(Number.MIN_SAFE_INTEGER), BigInt(Number.MAX_SAFE_INTEGER)));
}

const ID_ANY_CASE = /^[0-9a-fA-F]{64}$/;

/** A restic ID (64 hex digits; Go's hex decoder accepts upper case too), lower-cased. */
export function idValue(v: unknown, what: string): Id {
  if (typeof v !== 'string' || !ID_ANY_CASE.test(v)) {
    throw integrityError(`${what}: invalid ID ${typeof v === 'string' ? JSON.stringify(v) : typeName(v)}`);
  }
  return v.toLowerCase();
}

/** An ID, or undefined for missing/null. */
export function optionalIdField(o: JsonObject, key: string, what: string): Id | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  return idValue(v, `${what} "${key}"`);
}

export function idArrayField(o: JsonObject, key: string, what: string): Id[] {
  return arrayField(o, key, what).map((v, i) => idValue(v, `${what} "${key}"[${i}]`));
}

export function stringArrayField(o: JsonObject, key: string, what: string): string[] {
  return arrayField(o, key, what).map((v, i) => stringValue(v, `${what} "${key}"[${i}]`));
}

const BASE64_STD = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Go's []byte JSON form: standard base64 with padding (CR/LF ignored, as Go does). */
export function base64Value(v: unknown, what: string): Uint8Array {
  const s = stringValue(v, what).replace(/[\r\n]/g, '');
  if (!BASE64_STD.test(s)) throw integrityError(`${what}: invalid base64`);
  return new Uint8Array(Buffer.from(s, 'base64'));
}

export function toBase64(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64');
}

/** An RFC 3339 time as ns since the epoch; Go's zero time for missing/null. */
export function timeField(o: JsonObject, key: string, what: string): bigint {
  const v = o[key];
  if (v === undefined || v === null) return GO_ZERO_TIME_NS;
  if (typeof v !== 'string') throw integrityError(`${what}: "${key}" must be a string, got ${typeName(v)}`);
  return parseTime(v);
}
