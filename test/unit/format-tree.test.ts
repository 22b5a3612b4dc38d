import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/engine/errors.ts';
import { idOf, NULL_ID } from '../../src/engine/format/id.ts';
import { GO_ZERO_TIME_NS, parseTree, serializeTree, type TreeNode } from '../../src/engine/format/index.ts';
import { expectCode } from '../helpers/expect-code.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);
const ID_C = 'c'.repeat(64);
const T = 1_714_979_289_123_456_789n;

function fileNode(name: string | Uint8Array, extra: Partial<TreeNode> = {}): TreeNode {
  return {
    name: typeof name === 'string' ? enc(name) : name,
    type: 'file',
    mode: 0o644,
    mtime: T,
    atime: T,
    ctime: T,
    uid: 0,
    gid: 0,
    content: [],
    ...extra,
  };
}

describe('tree serialization', () => {
  it('writes the empty tree as exactly {"nodes":[]} and a newline', () => {
    const b = serializeTree([]);
    expect(dec(b)).toBe('{"nodes":[]}\n');
    expect(b.length).toBe(13);
    expect(parseTree(b)).toEqual([]);
  });

  it('writes every field in restic order with restic omit-if-zero rules', () => {
    const node: TreeNode = {
      name: enc('f<1>'),
      type: 'file',
      mode: 0o755,
      mtime: T,
      atime: T + 1n,
      ctime: 1_714_979_289_000_000_000n,
      uid: 1000,
      gid: 100,
      user: 'alice',
      group: 'staff',
      inode: 12345n,
      deviceId: 65024n,
      size: 5,
      links: 2n,
      linktarget: 'x',
      extendedAttributes: [
        { name: 'user.a', value: Uint8Array.from([0, 255, 1]) },
        { name: 'user.b', value: null },
        { name: 'user.c', value: new Uint8Array(0) },
      ],
      device: 259n,
      content: [ID_A, ID_B],
      subtree: ID_C,
      error: 'oops',
    };
    expect(dec(serializeTree([node]))).toBe(
      '{"nodes":[{"name":"f\\u003c1\\u003e","type":"file","mode":493,' +
        '"mtime":"2024-05-06T07:08:09.123456789Z","atime":"2024-05-06T07:08:09.12345679Z","ctime":"2024-05-06T07:08:09Z",' +
        '"uid":1000,"gid":100,"user":"alice","group":"staff","inode":12345,"device_id":65024,"size":5,"links":2,' +
        '"linktarget":"x","extended_attributes":[{"name":"user.a","value":"AP8B"},{"name":"user.b","value":null},' +
        '{"name":"user.c","value":""}],"device":259,"content":["' + ID_A + '","' + ID_B + '"],' +
        '"subtree":"' + ID_C + '","error":"oops"}]}\n',
    );
    expect(parseTree(serializeTree([node]))).toEqual([node]);
  });

  it('leaves out zero fields but always writes times, uid, gid and content', () => {
    const node: TreeNode = { name: enc('p'), type: 'fifo', mtime: 0n, atime: 0n, ctime: 0n, uid: 0, gid: 0, content: null };
    const zeros: TreeNode = { ...node, mode: 0, user: '', group: '', inode: 0n, deviceId: 0n, size: 0, links: 0n, linktarget: '', extendedAttributes: [], device: 0n, error: '' };
    const expected =
      '{"nodes":[{"name":"p","type":"fifo","mtime":"1970-01-01T00:00:00Z","atime":"1970-01-01T00:00:00Z",' +
      '"ctime":"1970-01-01T00:00:00Z","uid":0,"gid":0,"content":null}]}\n';
    expect(dec(serializeTree([node]))).toBe(expected);
    expect(dec(serializeTree([zeros]))).toBe(expected);
    expect(dec(serializeTree([fileNode('e', { mode: undefined })]))).toContain('"content":[]}');
  });

  it('writes a dir as restic does: Go dir mode bit, content null, subtree', () => {
    const dir: TreeNode = { ...fileNode('d'), type: 'dir', mode: 2147484141, content: null, subtree: ID_A };
    expect(dec(serializeTree([dir]))).toContain('"type":"dir","mode":2147484141,');
    expect(dec(serializeTree([dir]))).toContain('"content":null,"subtree":"' + ID_A + '"}');
  });

  it('Go-quotes names inside JSON', () => {
    const b = dec(serializeTree([fileNode('a"b'), fileNode('a\\b'), fileNode(Uint8Array.from([0x62, 0xff])), fileNode('\u00a0')]));
    expect(b).toContain('"name":"a\\\\\\"b"');
    expect(b).toContain('"name":"a\\\\\\\\b"');
    expect(b).toContain('"name":"b\\\\xff"');
    expect(b).toContain('"name":"\\\\u00a0"');
  });

  it('sorts nodes by raw name bytes, not UTF-16 order', () => {
    const names = ['😀', '\ufffd', 'b', 'B', 'a', 'ab', '\u00e9'];
    const nodes = names.map((n) => fileNode(n));
    nodes.push(fileNode(Uint8Array.from([0xff])), fileNode(Uint8Array.from([0x80])));
    const order = parseTree(serializeTree(nodes)).map((n) => Buffer.from(n.name).toString('hex'));
    expect(order).toEqual(['42', '61', '6162', '62', '80', 'c3a9', 'efbfbd', 'f09f9880', 'ff']);
    // The input order does not matter.
    expect(serializeTree([...nodes].reverse())).toEqual(serializeTree(nodes));
  });

  it('rejects duplicate names, empty names, files with null content and dirs without subtree', () => {
    expectCode(ErrorCode.Internal, () => serializeTree([fileNode('x'), fileNode('y'), fileNode('x')]));
    expectCode(ErrorCode.Internal, () => serializeTree([fileNode(new Uint8Array(0))]));
    expectCode(ErrorCode.Internal, () => serializeTree([fileNode('x', { content: null })]));
    expectCode(ErrorCode.Internal, () => serializeTree([{ ...fileNode('d'), type: 'dir', content: null }]));
    expectCode(ErrorCode.Internal, () => serializeTree([{ ...fileNode('d'), type: 'dir', content: null, subtree: NULL_ID }]));
    expectCode(ErrorCode.Internal, () => serializeTree([fileNode('x', { content: ['xyz'] })]));
    expectCode(ErrorCode.Internal, () => serializeTree([fileNode('x', { mode: -2147483155 })]));
    expectCode(ErrorCode.Internal, () => serializeTree([fileNode('x', { inode: 1n << 64n })]));
  });

  it('round-trips inode, device_id, device and links above 2^53 exactly', () => {
    const big = 18446744073709551615n;
    const node = fileNode('big', { inode: big, deviceId: big - 1n, device: 9007199254740993n, links: 9007199254740995n, size: 2 ** 53 - 1 });
    const bytes = serializeTree([node]);
    expect(dec(bytes)).toContain('"inode":18446744073709551615,"device_id":18446744073709551614,"size":9007199254740991,"links":9007199254740995,');
    expect(dec(bytes)).toContain('"device":9007199254740993,');
    const [back] = parseTree(bytes);
    expect(back!.inode).toBe(big);
    expect(back!.deviceId).toBe(big - 1n);
    expect(back!.device).toBe(9007199254740993n);
    expect(back!.links).toBe(9007199254740995n);
    expect(serializeTree(parseTree(bytes))).toEqual(bytes);
  });

  it('gives the tree ID as the SHA-256 of the exact bytes', () => {
    expect(idOf(serializeTree([]))).toBe(idOf(enc('{"nodes":[]}\n')));
  });
});

describe('tree parsing', () => {
  it('tolerates whitespace, other field orders, missing optional fields, unknown fields and null values', () => {
    const text = `{
      "nodes": [
        { "type": "file", "name": "a\\\\tb", "content": ["${ID_A.toUpperCase()}"], "uid": 1, "gid": 2,
          "mtime": "2024-05-06T09:08:09.12+02:00", "generic_attributes": {"x": 1}, "linktarget_raw": "AAE=",
          "extended_attributes": [{"name": "user.n", "value": null}, {"name": "user.v", "value": "AQI="}],
          "user": null, "size": null, "inode": 7 },
        { "name": "d", "type": "dir", "subtree": "${ID_B}" },
        { "name": "odd", "type": "irregular", "future": [1, {"a": 2}] }
      ],
      "extra": true
    }`;
    const nodes = parseTree(enc(text));
    expect(nodes).toHaveLength(3);
    const [f, d, odd] = nodes as [TreeNode, TreeNode, TreeNode];
    expect(f.name).toEqual(enc('a\tb'));
    expect(f.content).toEqual([ID_A]);
    expect(f.mtime).toBe(1_714_979_289_120_000_000n);
    expect(f.atime).toBe(GO_ZERO_TIME_NS);
    expect(f.extendedAttributes).toEqual([
      { name: 'user.n', value: null },
      { name: 'user.v', value: Uint8Array.from([1, 2]) },
    ]);
    expect(f.user).toBeUndefined();
    expect(f.size).toBeUndefined();
    expect(f.inode).toBe(7n);
    expect(d.subtree).toBe(ID_B);
    expect(d.content).toBeNull();
    expect(d.mode).toBeUndefined();
    expect(odd.type).toBe('irregular');
    expect(parseTree(enc('{"nodes":null}'))).toEqual([]);
    expect(parseTree(enc('{}'))).toEqual([]);
  });

  it('keeps the stored node order and does not enforce safety rules', () => {
    const nodes = parseTree(enc('{"nodes":[{"name":"b"},{"name":"a"},{"name":"a"},{"name":"../x"},{"name":""}]}'));
    expect(nodes.map((n) => dec(n.name))).toEqual(['b', 'a', 'a', '../x', '']);
  });

  it('throws Integrity on invalid JSON, bad names, bad IDs and wrongly typed fields', () => {
    for (const bad of [
      '{"nodes":[',
      '[]',
      '{"nodes":{}}',
      '{"nodes":[null]}',
      '{"nodes":[{"name":"a\\"b"}]}', // raw quote after JSON decoding: Go Unquote fails
      '{"nodes":[{"name":"a\\\\q"}]}',
      '{"nodes":[{"name":"a\\nb"}]}', // raw newline
      '{"nodes":[{"name":5}]}',
      '{"nodes":[{"name":"a","content":["abc"]}]}',
      '{"nodes":[{"name":"a","content":[null]}]}',
      '{"nodes":[{"name":"a","subtree":"xyz"}]}',
      '{"nodes":[{"name":"a","uid":-1}]}',
      '{"nodes":[{"name":"a","uid":4294967296}]}',
      '{"nodes":[{"name":"a","mode":1.5}]}',
      '{"nodes":[{"name":"a","inode":18446744073709551616}]}',
      '{"nodes":[{"name":"a","size":"5"}]}',
      '{"nodes":[{"name":"a","mtime":"2024-05-06T07:08:09"}]}',
      '{"nodes":[{"name":"a","extended_attributes":[{"name":"x","value":"A_=="}]}]}',
      '{"nodes":[{"name":"a","extended_attributes":[{"name":"x","value":"AQI"}]}]}',
    ]) {
      expectCode(ErrorCode.Integrity, () => parseTree(enc(bad)));
    }
  });
});
