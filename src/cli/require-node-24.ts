/**
 * Imported first by the CLI entry, so it runs before any module that needs zstd: older
 * Node has no zstd in zlib, and would otherwise fail with an obscure TypeError.
 */
import * as zlib from 'node:zlib';

if (typeof zlib.zstdCompress !== 'function') {
  process.stderr.write(`chunkvault needs Node 24 or newer (zstd in zlib); this is Node ${process.versions.node}\n`);
  process.exit(1);
}
