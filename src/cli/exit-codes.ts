/**
 * Exit codes, restic's where restic has one (restic docs, "scripting"), so that scripts
 * written for restic keep working.
 */
import { ErrorCode, isChunkvaultError } from '../engine/index.ts';

export const ExitCode = {
  Ok: 0,
  Fatal: 1,
  /** The snapshot was written, but some source files could not be read. */
  PartialBackup: 3,
  RepositoryNotFound: 10,
  Locked: 11,
  WrongPassword: 12,
  Interrupted: 130,
} as const;

export function exitCodeFor(e: unknown): number {
  if (isChunkvaultError(e, ErrorCode.RepositoryNotFound)) return ExitCode.RepositoryNotFound;
  if (isChunkvaultError(e, ErrorCode.Locked)) return ExitCode.Locked;
  if (isChunkvaultError(e, ErrorCode.WrongPassword)) return ExitCode.WrongPassword;
  if (isChunkvaultError(e, ErrorCode.Aborted)) return ExitCode.Interrupted;
  return ExitCode.Fatal;
}
