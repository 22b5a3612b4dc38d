export type { MasterKey } from './master-key.ts';
export { decodeMasterKey, encodeMasterKey, generateMasterKey } from './master-key.ts';
export { initCrypto } from './poly1305.ts';
export { SEAL_OVERHEAD, macFailure, open, seal, sealEncrypted } from './seal.ts';
export type { KdfParams } from './kdf.ts';
export { KDF_SALT_BYTES, calibrateKdf, checkKdfParams, deriveUserKey } from './kdf.ts';
export type { KeyFileInfo, KeyFileMeta } from './key-file.ts';
export { createKeyFile, openKeyFile, readKeyFileInfo } from './key-file.ts';
