/**
 * Index files (`index/<id>`, doc 6). restic writes them with json.Encoder: compact with
 * a trailing newline. The old format (a bare array of packs) is read, never written.
 */
import { integrityError, internalError } from '../errors.ts';
import { isId, type Id } from './id.ts';
import { arrayField, asObject, idArrayField, idValue, stringField, uintField } from './fields.ts';
import { parseJson } from './json.ts';

export interface IndexBlob {
  id: Id;
  type: 'data' | 'tree';
  /** Byte offset of the blob in the pack. */
  offset: number;
  /** Stored length (ciphertext, 32 bytes of crypto overhead included). */
  length: number;
  /** Plaintext length of a compressed blob; absent (never 0) for an uncompressed one. */
  uncompressedLength?: number;
}

export interface IndexPack {
  id: Id;
  blobs: IndexBlob[];
}

export interface IndexFile {
  supersedes?: Id[];
  packs: IndexPack[];
}

function idJson(id: Id, what: string): string {
  if (!isId(id)) throw internalError(`index: ${what} is not a valid ID: ${JSON.stringify(id)}`);
  return '"' + id + '"';
}

function uintJson(v: number, what: string): string {
  if (!Number.isSafeInteger(v) || v < 0) throw internalError(`index: ${what} ${v} is not a valid unsigned integer`);
  return String(v);
}

/**
 * restic's index bytes: `{"supersedes":[...],"packs":[{"id":..,"blobs":[{"id","type",
 * "offset","length","uncompressed_length"}]}]}\n`; supersedes left out when empty,
 * uncompressed_length only when > 0. Order is kept as given.
 */
export function serializeIndex(f: IndexFile): Uint8Array {
  let j = '{';
  if (f.supersedes && f.supersedes.length > 0) {
    j += '"supersedes":[' + f.supersedes.map((id) => idJson(id, 'supersedes')).join(',') + '],';
  }
  j += '"packs":[';
  f.packs.forEach((p, pi) => {
    if (pi > 0) j += ',';
    j += '{"id":' + idJson(p.id, 'pack id') + ',"blobs":[';
    p.blobs.forEach((b, bi) => {
      if (bi > 0) j += ',';
      if (b.type !== 'data' && b.type !== 'tree') throw internalError(`index: invalid blob type ${JSON.stringify(b.type)}`);
      j += '{"id":' + idJson(b.id, 'blob id') + ',"type":"' + b.type + '"';
      j += ',"offset":' + uintJson(b.offset, 'offset') + ',"length":' + uintJson(b.length, 'length');
      if (b.uncompressedLength) j += ',"uncompressed_length":' + uintJson(b.uncompressedLength, 'uncompressed_length');
      j += '}';
    });
    j += ']}';
  });
  return new TextEncoder().encode(j + ']}\n');
}

function parsePacks(list: unknown[]): IndexPack[] {
  return list.map((pv, pi) => {
    const pw = `index pack ${pi}`;
    const po = asObject(pv, pw);
    return {
      id: idValue(po['id'], `${pw} id`),
      blobs: arrayField(po, 'blobs', pw).map((bv, bi) => {
        const bw = `${pw} blob ${bi}`;
        const bo = asObject(bv, bw);
        const type = stringField(bo, 'type', bw);
        if (type !== 'data' && type !== 'tree') throw integrityError(`${bw}: invalid blob type ${JSON.stringify(type)}`);
        const blob: IndexBlob = {
          id: idValue(bo['id'], `${bw} id`),
          type,
          offset: uintField(bo, 'offset', bw),
          length: uintField(bo, 'length', bw),
        };
        const ul = uintField(bo, 'uncompressed_length', bw);
        if (ul !== 0) blob.uncompressedLength = ul;
        return blob;
      }),
    };
  });
}

/**
 * Reads an index file, current or old format (top-level array of packs). Validates
 * IDs (hex in either case, normalized to lower case), blob types and integers; throws
 * an Integrity error on anything else. uncompressed_length 0 reads as absent.
 */
export function parseIndex(bytes: Uint8Array): IndexFile {
  const doc = parseJson(bytes, 'index');
  if (Array.isArray(doc)) return { packs: parsePacks(doc) };
  const o = asObject(doc, 'index');
  const f: IndexFile = { packs: parsePacks(arrayField(o, 'packs', 'index')) };
  const supersedes = idArrayField(o, 'supersedes', 'index');
  if (supersedes.length > 0) f.supersedes = supersedes;
  return f;
}
