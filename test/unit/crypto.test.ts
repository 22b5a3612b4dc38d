import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import sodium from 'libsodium-wrappers-sumo';
import { ErrorCode } from '../../src/engine/errors.ts';
import { fromHex, sha256, toHex, utf8, writeUint32LE, concatBytes } from '../../src/engine/support/bytes.ts';
import { idOf } from '../../src/engine/format/id.ts';
import {
  SEAL_OVERHEAD,
  calibrateKdf,
  createKeyFile,
  decodeMasterKey,
  deriveUserKey,
  encodeMasterKey,
  generateMasterKey,
  initCrypto,
  open,
  openKeyFile,
  seal,
  type MasterKey,
} from '../../src/engine/crypto/index.ts';
import { kdf } from '../../src/engine/crypto/kdf.ts';
import { poly1305KeyFor, prepareKey } from '../../src/engine/crypto/master-key.ts';
import { poly1305Aes } from '../../src/engine/crypto/seal.ts';
import { decodeBase64Strict, goJsonString } from '../../src/engine/crypto/encoding.ts';
import { expectCode, expectRejectsWithCode } from '../helpers/expect-code.ts';

/** Bytes start, start+1, ..., start+n-1. */
function counting(start: number, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => start + i);
}

function b64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

// Mini-repository of restic-format.md section 14.
const MINI = {
  password: 'correct horse',
  salt: counting(0x00, 64),
  params: { N: 16384, r: 8, p: 1 },
  scrypt:
    'e292f86417d1235e6820f4e8efe7518a41b683631ca08c5d35c8939bf5564912' +
    'de26f3530ae729b2c6f0a7e254b78c2026e0211791c17ce15f6c4ef2f1e3588b',
  master: {
    encrypt: counting(0x20, 32),
    macK: counting(0x40, 16),
    macR: fromHex('505152035455560758595a0b5c5d5e0f'),
  } satisfies MasterKey,
  masterJson:
    '{"mac":{"k":"QEFCQ0RFRkdISUpLTE1OTw==","r":"UFFSA1RVVgdYWVoLXF1eDw=="},"encrypt":"ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="}',
  keyDataIv: counting(0xa0, 16),
  keyDataS: '90d25efc86dce5a7e5d93e84616872f1',
  keyData:
    'oKGio6SlpqeoqaqrrK2ur2A/hzL+Ab+JtTmscDrJ6zJwa+m/3ZixOyGhEY9WkG8IgbQX5HDAqKkXqNxqOlo2FiBK8DyeUhmwCdtBHiOJVoFO+znkovTeLPPFaWzXYVB5oFb5bVauuvj/tyQDCSgg2i5klbk7W0uMuOlOwPEUOgbEgSOfF94YgtBGqTiO1VH6Bh7hqR2IepX+B5DgAcDXAw==',
  config:
    '{"version":2,"id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","chunker_polynomial":"3da3358b4dc173"}',
  configIv: counting(0xc0, 16),
  configSealed:
    'c0c1c2c3c4c5c6c7c8c9cacbcccdcecf685262e969b1c01de207caee70599d88804892783a27ec55b63fd07a5b02fac9' +
    '8336386b267b87cfc0137aa19407a5e9963993324b96359a5855420850ce24f9610846377cd8b2e6d137d9d20effe7c4' +
    'd265950cf103f7cf9c9e4641b3764af9ae2537847e862056252a90b21d40eba19fbe5560fe27987fc30ba25440d0909f' +
    'a25d896290365dc3c21194',
  blob: 'hello restic\n',
  blobId: 'fbbd69198637d5360353c39796181175de6311c2a61abe2fe6392c938018660f',
  blobIv: counting(0xd0, 16),
  headerIv: counting(0xe0, 16),
  pack:
    'd0d1d2d3d4d5d6d7d8d9dadbdcdddedf23af51512e33d72b8d8ed938b392e0713e9b6e6dfe49bea477f071852de0' +
    'e1e2e3e4e5e6e7e8e9eaebecedeeef3f9d0c88ebe00f44c4a0e6b93d3d45707579ae0544ca54a5e8e97e21d3ee278ab1' +
    '2a2a6abef9a73d0a001fdbd21e9a1786b7bd797f45000000',
  packId: '19226fda46a7fb691ca9b364c6db0bd5f4eaa8e99de23aff83cc5460583ebc4c',
};

/** A key file in restic's layout around the given fields (N/r/p/salt/data). */
function keyFileJson(fields: Record<string, unknown>): Uint8Array {
  const base = {
    created: '2024-05-06T07:08:09.123456789Z',
    username: 'ci',
    hostname: 'runner',
    kdf: 'scrypt',
    N: MINI.params.N,
    r: MINI.params.r,
    p: MINI.params.p,
    salt: b64(MINI.salt),
    data: MINI.keyData,
  };
  return utf8.encode(JSON.stringify({ ...base, ...fields }));
}

// Cheap parameters for round trips that do not need restic's cost.
const FAST = { N: 1024, r: 8, p: 1 };

beforeAll(async () => {
  await initCrypto();
});

describe('Poly1305-AES and seal/open known answers', () => {
  it('computes the Poly1305-AES MAC of the paper vector', () => {
    const mac = poly1305Aes(
      { macK: fromHex('ec074c835580741701425b623235add6'), macR: fromHex('851fc40c3467ac0be05cc20404f3f700') },
      fromHex('fb447350c4e868c52ac3275cf9d4327e'),
      fromHex('f3f6'),
    );
    expect(toHex(mac)).toBe('f4c633c3044fc145f84f335cb81953de');
  });

  it('open accepts the paper vector as IV || ciphertext || MAC and rejects any other tag', () => {
    // open MACs the ciphertext with r || AES-128(k, IV): the paper vector, taken as a sealed object.
    const key: MasterKey = {
      encrypt: counting(1, 32),
      macK: fromHex('ec074c835580741701425b623235add6'),
      macR: fromHex('851fc40c3467ac0be05cc20404f3f700'),
    };
    const sealed = fromHex('fb447350c4e868c52ac3275cf9d4327e' + 'f3f6' + 'f4c633c3044fc145f84f335cb81953de');
    expect(open(key, sealed).byteLength).toBe(2);
    sealed[sealed.length - 1]! ^= 1;
    expectCode(ErrorCode.Integrity, () => open(key, sealed));
  });

  it('opens restic\'s test ciphertext to "Dies ist ein Test!" and seals it back to the same bytes', () => {
    const key: MasterKey = {
      encrypt: fromHex('303e8687b1d7db18421bdc6bb8588ccadac4d59ee87b8ff70c44e635790cafef'),
      macK: fromHex('ef4d8824cb80b2bcc5fbff8a9b12a42c'),
      macR: fromHex('cc8d4b948ee0ebfe1d415de921d10353'),
    };
    const sealed = fromHex(
      '69fb41c62d12def4593bd71757138606338f621aeaeb39da0fe4f99233f8037a54ea63338a813bcf3f75d8c3cc75dddf8750',
    );
    const plain = open(key, sealed);
    expect(utf8.decode(plain)).toBe('Dies ist ein Test!');
    expect(toHex(seal(key, plain, sealed.subarray(0, 16)))).toBe(toHex(sealed));
  });
});

describe('deterministic mini-repository (restic-format.md section 14)', () => {
  it('derives the given scrypt output for "correct horse" with salt 00..3f, N=16384 r=8 p=1', async () => {
    const out = await kdf(MINI.password, MINI.salt, MINI.params);
    expect(toHex(out)).toBe(MINI.scrypt);
    const user = await deriveUserKey(MINI.password, MINI.salt, MINI.params);
    expect(toHex(user.encrypt)).toBe(MINI.scrypt.slice(0, 64));
    expect(toHex(user.macK)).toBe(MINI.scrypt.slice(64, 96));
    expect(user.macR.byteLength).toBe(16);
  });

  it('encodes the master key to the exact JSON bytes and decodes them back', () => {
    const json = encodeMasterKey(MINI.master);
    expect(utf8.decode(json)).toBe(MINI.masterJson);
    const back = decodeMasterKey(json);
    expect(toHex(back.encrypt)).toBe(toHex(MINI.master.encrypt));
    expect(toHex(back.macK)).toBe(toHex(MINI.master.macK));
    expect(toHex(back.macR)).toBe(toHex(MINI.master.macR));
  });

  it('masks mac.r 50..5f to 505152035455560758595a0b5c5d5e0f', async () => {
    const { maskR } = await import('../../src/engine/crypto/master-key.ts');
    expect(toHex(maskR(counting(0x50, 16)))).toBe(toHex(MINI.master.macR));
  });

  it('seals the master key with IV a0..af into the given key-file data', async () => {
    const user = await deriveUserKey(MINI.password, MINI.salt, MINI.params);
    expect(toHex(poly1305KeyFor(prepareKey(user), MINI.keyDataIv).subarray(16))).toBe(MINI.keyDataS);
    const data = seal(user, utf8.encode(MINI.masterJson), MINI.keyDataIv);
    expect(b64(data)).toBe(MINI.keyData);
  });

  it('opens a key file around that data with the password and returns the master key', async () => {
    const master = await openKeyFile(keyFileJson({}), MINI.password);
    expect(master).toBeDefined();
    expect(utf8.decode(encodeMasterKey(master!))).toBe(MINI.masterJson);
  });

  it('seals the config with IV c0..cf into the given config file', () => {
    const sealed = seal(MINI.master, utf8.encode(MINI.config), MINI.configIv);
    expect(toHex(sealed)).toBe(MINI.configSealed);
    expect(utf8.decode(open(MINI.master, sealed))).toBe(MINI.config);
  });

  it('builds the 118-byte one-blob pack with the given id', () => {
    const plain = utf8.encode(MINI.blob);
    expect(idOf(plain)).toBe(MINI.blobId);
    const blob = seal(MINI.master, plain, MINI.blobIv);
    expect(blob.byteLength).toBe(45);
    const header = new Uint8Array(37);
    header[0] = 0; // data blob, uncompressed
    writeUint32LE(header, 1, blob.byteLength);
    header.set(sha256(plain), 5);
    const encHeader = seal(MINI.master, header, MINI.headerIv);
    expect(encHeader.byteLength).toBe(69);
    const trailer = new Uint8Array(4);
    writeUint32LE(trailer, 0, encHeader.byteLength);
    const pack = concatBytes([blob, encHeader, trailer]);
    expect(pack.byteLength).toBe(118);
    expect(toHex(pack)).toBe(MINI.pack);
    expect(idOf(pack)).toBe(MINI.packId);
    expect(utf8.decode(open(MINI.master, pack.subarray(0, 45)))).toBe(MINI.blob);
    expect(toHex(open(MINI.master, pack.subarray(45, 114)))).toBe(toHex(header));
  });
});

describe('seal and open', () => {
  const key = generateMasterKey();

  it.each([0, 1, 15, 16, 17, 31, 32, 33, 1000, 4096, 65_539, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 7])(
    'round-trips %i bytes with 32 bytes of overhead',
    (size) => {
      const plain = new Uint8Array(randomBytes(size));
      const sealed = seal(key, plain);
      expect(sealed.byteLength).toBe(size + SEAL_OVERHEAD);
      expect(sealed).toBeInstanceOf(Uint8Array);
      const back = open(key, sealed);
      expect(back.byteLength).toBe(size);
      expect(Buffer.compare(back, plain)).toBe(0);
    },
  );

  it('round-trips random sizes', () => {
    for (let i = 0; i < 50; i++) {
      const size = Math.floor(Math.random() * 70_000);
      const plain = new Uint8Array(randomBytes(size));
      expect(Buffer.compare(open(key, seal(key, plain)), plain)).toBe(0);
    }
  });

  it('MACs large inputs piece by piece to the same tag as one Poly1305 pass', () => {
    // seal and open feed inputs over 1 MiB to Poly1305 in pieces; check against one call.
    const plain = new Uint8Array(randomBytes(2 * (1 << 20) + 5));
    const iv = counting(1, 16);
    const sealed = seal(key, plain, iv);
    const end = sealed.byteLength - 16;
    const polyKey = poly1305KeyFor(prepareKey(key), iv);
    const oneShot = sodium.crypto_onetimeauth(sealed.subarray(16, end), polyKey);
    expect(toHex(sealed.subarray(end))).toBe(toHex(oneShot));
    expect(Buffer.compare(open(key, sealed), plain)).toBe(0);
  });

  it('uses a fresh random IV for every seal', () => {
    const plain = utf8.encode('same plaintext');
    const a = seal(key, plain);
    const b = seal(key, plain);
    expect(toHex(a.subarray(0, 16))).not.toBe(toHex(b.subarray(0, 16)));
    expect(a.subarray(0, 16).some((x) => x !== 0)).toBe(true);
  });

  it('does not modify its input', () => {
    const plain = new Uint8Array(randomBytes(100));
    const copy = plain.slice();
    const sealed = seal(key, plain);
    const sealedCopy = sealed.slice();
    open(key, sealed);
    expect(toHex(plain)).toBe(toHex(copy));
    expect(toHex(sealed)).toBe(toHex(sealedCopy));
  });

  it('throws an Integrity error for a flipped byte anywhere', () => {
    const sealed = seal(key, new Uint8Array(randomBytes(50)));
    for (let i = 0; i < sealed.byteLength; i++) {
      const bad = sealed.slice();
      bad[i]! ^= 0x01;
      const e = expectCode(ErrorCode.Integrity, () => open(key, bad));
      expect(e.message).toMatch(/^ciphertext verification failed/);
    }
  });

  it('throws an Integrity error for a flipped byte in a large input', () => {
    const sealed = seal(key, new Uint8Array(randomBytes(2 * (1 << 20) + 100)));
    for (const at of [16, 16 + (1 << 20) - 1, 16 + (1 << 20), sealed.byteLength - 17, sealed.byteLength - 1]) {
      const bad = sealed.slice();
      bad[at]! ^= 0x80;
      expectCode(ErrorCode.Integrity, () => open(key, bad));
    }
  });

  it('throws an Integrity error for a truncated input', () => {
    const sealed = seal(key, utf8.encode('some plaintext to cut short'));
    for (let len = 0; len < sealed.byteLength; len++) {
      const e = expectCode(ErrorCode.Integrity, () => open(key, sealed.subarray(0, len)));
      expect(e.message).toMatch(/^ciphertext verification failed/);
    }
  });

  it('throws an Integrity error for an all-zero IV', () => {
    const sealed = seal(key, utf8.encode('zero IV'));
    sealed.fill(0, 0, 16);
    const e = expectCode(ErrorCode.Integrity, () => open(key, sealed));
    expect(e.message).toMatch(/^ciphertext verification failed.*IV/);
  });

  it('throws an Integrity error when opened with another key', () => {
    const sealed = seal(key, utf8.encode('for one key only'));
    expectCode(ErrorCode.Integrity, () => open(generateMasterKey(), sealed));
  });

  it('refuses a given IV that is all zero or not 16 bytes', () => {
    expectCode(ErrorCode.InvalidInput, () => seal(key, new Uint8Array(1), new Uint8Array(16)));
    expectCode(ErrorCode.InvalidInput, () => seal(key, new Uint8Array(1), counting(1, 12)));
  });

  it('refuses keys with wrong sizes or all-zero parts', () => {
    const good = generateMasterKey();
    expectCode(ErrorCode.InvalidInput, () => seal({ ...good, encrypt: new Uint8Array(32) }, new Uint8Array(1)));
    expectCode(ErrorCode.InvalidInput, () => seal({ ...good, macK: new Uint8Array(16) }, new Uint8Array(1)));
    expectCode(ErrorCode.InvalidInput, () => seal({ ...good, macR: counting(1, 15) }, new Uint8Array(1)));
  });

  it('notices key bytes changed in place after first use', () => {
    const k: MasterKey = { encrypt: counting(1, 32), macK: counting(2, 16), macR: counting(3, 16) };
    const sealed = seal(k, utf8.encode('plain text'));
    k.encrypt[0]! ^= 0xff; // MAC parts unchanged: the MAC still verifies, decryption must use the new key
    expect(utf8.decode(open(k, sealed))).not.toBe('plain text');
    k.encrypt[0]! ^= 0xff;
    expect(utf8.decode(open(k, sealed))).toBe('plain text');
    k.macK[0]! ^= 0xff;
    expectCode(ErrorCode.Integrity, () => open(k, sealed));
  });
});

describe('master key', () => {
  it('generates random keys with all parts non-zero and r masked', async () => {
    const { maskR } = await import('../../src/engine/crypto/master-key.ts');
    const a = generateMasterKey();
    const b = generateMasterKey();
    expect([a.encrypt.byteLength, a.macK.byteLength, a.macR.byteLength]).toEqual([32, 16, 16]);
    expect(toHex(a.encrypt)).not.toBe(toHex(b.encrypt));
    expect(toHex(maskR(a.macR))).toBe(toHex(a.macR));
  });

  it('round-trips through JSON', () => {
    const k = generateMasterKey();
    const back = decodeMasterKey(encodeMasterKey(k));
    expect(utf8.decode(encodeMasterKey(back))).toBe(utf8.decode(encodeMasterKey(k)));
  });

  it.each([
    ['not JSON', '{"mac":'],
    ['no mac', '{"encrypt":"ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="}'],
    ['short k', '{"mac":{"k":"QEFCQ0RFRkdISUpLTE1O","r":"UFFSA1RVVgdYWVoLXF1eDw=="},"encrypt":"ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="}'],
    ['unpadded r', '{"mac":{"k":"QEFCQ0RFRkdISUpLTE1OTw==","r":"UFFSA1RVVgdYWVoLXF1eDw"},"encrypt":"ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="}'],
    ['URL-safe encrypt', '{"mac":{"k":"QEFCQ0RFRkdISUpLTE1OTw==","r":"UFFSA1RVVgdYWVoLXF1eDw=="},"encrypt":"ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8_"}'],
    ['zero encrypt', '{"mac":{"k":"QEFCQ0RFRkdISUpLTE1OTw==","r":"UFFSA1RVVgdYWVoLXF1eDw=="},"encrypt":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}'],
  ])('rejects a master key JSON with %s', (_name, json) => {
    expectCode(ErrorCode.InvalidInput, () => decodeMasterKey(utf8.encode(json)));
  });
});

describe('key files', () => {
  const created = new Date('2024-01-02T03:04:05.600Z');

  it('writes restic\'s exact key-file JSON (field order, compact, no newline, 64-byte salt)', async () => {
    const master = generateMasterKey();
    const salt = counting(0x00, 64);
    const bytes = await createKeyFile(master, 'pw', { username: 'ci', hostname: 'runner', created }, FAST, salt);
    const text = utf8.decode(bytes);
    expect(text).toMatch(
      /^\{"created":"2024-01-02T03:04:05\.6Z","username":"ci","hostname":"runner","kdf":"scrypt","N":1024,"r":8,"p":1,"salt":"[A-Za-z0-9+/]{86}==","data":"[A-Za-z0-9+/]+={0,2}"\}$/,
    );
    expect(text.endsWith('\n')).toBe(false);
    const parsed = JSON.parse(text) as { salt: string; data: string };
    expect(parsed.salt).toBe(b64(salt));
    // data = IV || sealed master-key JSON || MAC
    expect(decodeBase64Strict(parsed.data)!.byteLength).toBe(encodeMasterKey(master).byteLength + 32);
  });

  it('escapes user and host names as Go does', () => {
    expect(goJsonString('a<b>&"\\\n\t\b\u2028é')).toBe('"a\\u003cb\\u003e\\u0026\\"\\\\\\n\\t\\u0008\\u2028é"');
    expect(goJsonString('x\ud800y')).toBe('"x\\ufffdy"');
  });

  it('opens a key file it created with the same password (createKeyFile → openKeyFile)', async () => {
    const master = generateMasterKey();
    const bytes = await createKeyFile(master, 'secret ünïcode', { username: 'u', hostname: 'h' }, FAST);
    const back = await openKeyFile(bytes, 'secret ünïcode');
    expect(back).toBeDefined();
    expect(toHex(encodeMasterKey(back!))).toBe(toHex(encodeMasterKey(master)));
    // and the master key works
    expect(utf8.decode(open(back!, seal(master, utf8.encode('ok'))))).toBe('ok');
  });

  it('returns undefined for a wrong password', async () => {
    const bytes = await createKeyFile(generateMasterKey(), 'right', { username: 'u', hostname: 'h' }, FAST);
    expect(await openKeyFile(bytes, 'wrong')).toBeUndefined();
    expect(await openKeyFile(keyFileJson({}), 'correct horse!')).toBeUndefined();
  });

  it('rejects a key file whose kdf is "argon2" as Unsupported', async () => {
    await expectRejectsWithCode(ErrorCode.Unsupported, openKeyFile(keyFileJson({ kdf: 'argon2' }), MINI.password));
  });

  it('rejects a key file with a 32-byte salt', async () => {
    const e = await expectRejectsWithCode(
      ErrorCode.InvalidInput,
      openKeyFile(keyFileJson({ salt: b64(counting(0, 32)) }), MINI.password),
    );
    expect(e.message).toMatch(/salt/);
  });

  it.each([
    ['N not a power of two', { N: 1000 }],
    ['N = 1', { N: 1 }],
    ['p = 0', { p: 0 }],
    ['r missing', { r: undefined }],
    ['N·r·128 over 2^31-1', { N: 2 ** 21, r: 8 }],
    ['r·p ≥ 2^30', { r: 2 ** 15, p: 2 ** 15 }],
    ['N as a string', { N: '16384' }],
  ])('rejects a key file with invalid scrypt parameters (%s)', async (_name, fields) => {
    await expectRejectsWithCode(ErrorCode.InvalidInput, openKeyFile(keyFileJson(fields), MINI.password));
  });

  it('rejects parameters restic allows but that would cost absurd memory or time, before deriving', async () => {
    const start = performance.now();
    await expectRejectsWithCode(ErrorCode.Unsupported, openKeyFile(keyFileJson({ N: 2 ** 20, r: 8, p: 64 }), MINI.password));
    await expectRejectsWithCode(ErrorCode.Unsupported, openKeyFile(keyFileJson({ N: 2 ** 21, r: 7, p: 1 }), MINI.password));
    expect(performance.now() - start).toBeLessThan(200);
  });

  it.each([
    ['not JSON', utf8.encode('{"kdf":"scrypt",')],
    ['an array', utf8.encode('[]')],
    ['URL-safe salt', keyFileJson({ salt: b64(MINI.salt).replace(/\+/g, '-').replace(/\//g, '_') })],
    ['unpadded data', keyFileJson({ data: MINI.keyData.replace(/=+$/, '') })],
    ['short data', keyFileJson({ data: b64(counting(1, 31)) })],
    ['all-zero IV in data', keyFileJson({ data: b64(new Uint8Array(48)) })],
  ])('rejects a malformed key file (%s)', async (_name, bytes) => {
    await expectRejectsWithCode(ErrorCode.InvalidInput, openKeyFile(bytes, MINI.password));
  });

  it('refuses to create a key file with a salt that is not 64 bytes or invalid parameters', async () => {
    const m = generateMasterKey();
    const meta = { username: 'u', hostname: 'h' };
    await expectRejectsWithCode(ErrorCode.InvalidInput, createKeyFile(m, 'pw', meta, FAST, counting(0, 32)));
    await expectRejectsWithCode(ErrorCode.InvalidInput, createKeyFile(m, 'pw', meta, { N: 1000, r: 8, p: 1 }));
  });

  it('calibrates like restic: N=32768, r=8, p ≥ 1', async () => {
    const params = await calibrateKdf();
    expect(params.N).toBe(32768);
    expect(params.r).toBe(8);
    expect(params.p).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(params.p)).toBe(true);
    // restic's default memory needs more than Node's default maxmem of 32 MiB
    const user = await deriveUserKey('pw', new Uint8Array(64).fill(7), params);
    expect(user.encrypt.byteLength).toBe(32);
  });
});
