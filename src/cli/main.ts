#!/usr/bin/env node
// The version check comes before anything else loads: older Node lacks zlib's zstd.
import * as zlib from 'node:zlib';

if (typeof zlib.zstdCompress !== 'function') {
  process.stderr.write(`chunkvault needs Node 24 or newer (zstd in zlib); this is Node ${process.versions.node}\n`);
  process.exit(1);
}
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2), process.env);
