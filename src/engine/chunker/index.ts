/** restic-compatible content-defined chunking. */
export { Chunker, MAX_CHUNK_SIZE, MIN_CHUNK_SIZE } from './chunker.ts';
export { chunkStream } from './chunk-stream.ts';
export { isIrreducible, polynomialDegree, randomPolynomial } from './polynomial.ts';
