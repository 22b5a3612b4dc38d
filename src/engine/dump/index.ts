/** Dumps streamed into a snapshot: the source contract, its error, and the saver. */
export { checkDumpFilename, type DumpEnd, type DumpSource, type RunningDump } from './dump-source.ts';
export { DumpError, dumpFailure, isDumpError, type DumpFailure } from './dump-error.ts';
export { saveDump, type SavedDump } from './save-dump.ts';
