/**
 * The AES-256-CTR layer of restic's sealed format, `IV(16) || ciphertext || MAC(16)`,
 * without the MAC: what worker threads need to encrypt or decrypt a blob while the main
 * thread computes or checks the Poly1305-AES tag. Kept apart from seal.ts so that a
 * worker never loads the WebAssembly Poly1305.
 */
import { createCipheriv, createDecipheriv, randomFillSync, type KeyObject } from 'node:crypto';

export const IV_BYTES = 16;
export const MAC_BYTES = 16;
/** Bytes sealing adds: IV and MAC. */
export const SEAL_OVERHEAD = IV_BYTES + MAC_BYTES;

/** Encrypting in pieces keeps OpenSSL's temporary output small and recycled. */
const PIECE_BYTES = 1 << 20;

export type AesKey = Uint8Array | KeyObject;

/**
 * `IV || AES-256-CTR(plaintext) || 16 spare bytes` under a fresh random IV, for the MAC
 * to be written into the spare bytes (seal.ts `sealEncrypted`). The output owns its
 * whole ArrayBuffer, so it can move between threads without a copy.
 */
export function encryptFramed(encryptKey: AesKey, plaintext: Uint8Array): Uint8Array {
  const framed = new Uint8Array(Buffer.allocUnsafeSlow(plaintext.byteLength + SEAL_OVERHEAD).buffer);
  const iv = framed.subarray(0, IV_BYTES);
  // restic rejects an all-zero IV; the chance is 2^-128, the check is free.
  do randomFillSync(iv);
  while (iv.every((b) => b === 0));
  const cipher = createCipheriv('aes-256-ctr', encryptKey, iv);
  let at = IV_BYTES;
  for (let i = 0; i < plaintext.byteLength; i += PIECE_BYTES) {
    const piece = cipher.update(plaintext.subarray(i, i + PIECE_BYTES));
    framed.set(piece, at);
    at += piece.byteLength;
  }
  framed.set(cipher.final(), at);
  return framed;
}

/**
 * Decrypts `IV || ciphertext || MAC` whose MAC was checked already (seal.ts `macFailure`,
 * possibly on another thread). Returns OpenSSL's output buffer itself, without a copy.
 */
export function decryptAuthenticated(encryptKey: AesKey, sealed: Uint8Array): Uint8Array {
  const iv = sealed.subarray(0, IV_BYTES);
  const plain = createDecipheriv('aes-256-ctr', encryptKey, iv).update(sealed.subarray(IV_BYTES, sealed.byteLength - MAC_BYTES));
  return new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength);
}
