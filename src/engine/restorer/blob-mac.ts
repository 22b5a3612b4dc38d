/**
 * The MAC half of opening a sealed blob (crypto/seal.ts `open`), for the restorer: the
 * Poly1305-AES tag is checked here, on the main thread where the WebAssembly Poly1305
 * lives, and decryption, decompression and the SHA-256 check happen on a worker.
 */
import { equalBytes } from '../support/bytes.ts';
import { poly1305KeyFor, prepareKey, type MasterKey } from '../crypto/master-key.ts';
import { poly1305 } from '../crypto/poly1305.ts';
import { IV_BYTES, MAC_BYTES, SEAL_OVERHEAD } from '../crypto/seal.ts';

/** Why `sealed` fails authentication under `key`, or undefined when its MAC is valid. */
export function macFailure(key: MasterKey, sealed: Uint8Array): string | undefined {
  if (sealed.byteLength < SEAL_OVERHEAD) return `ciphertext verification failed: ${sealed.byteLength} bytes is shorter than the ${SEAL_OVERHEAD}-byte overhead`;
  const nonce = sealed.subarray(0, IV_BYTES);
  if (nonce.every((b) => b === 0)) return 'ciphertext verification failed: the IV is all zero';
  const macAt = sealed.byteLength - MAC_BYTES;
  const macKey = poly1305KeyFor(prepareKey(key), nonce);
  try {
    const tag = poly1305(sealed.subarray(IV_BYTES, macAt), macKey);
    return equalBytes(tag, sealed.subarray(macAt)) ? undefined : 'ciphertext verification failed: MAC mismatch (corrupted data or wrong key)';
  } finally {
    macKey.fill(0);
  }
}
