/**
 * Asserting that a call fails with a ChunkvaultError of a given code: callers switch on
 * codes, never on messages, so that is what tests check first. Both return the error for
 * further checks on its message or cause.
 */
import { expect } from 'vitest';
import { ChunkvaultError, isChunkvaultError, type ErrorCode } from '../../src/engine/errors.ts';

/** Asserts that fn throws a ChunkvaultError with this code. */
export function expectCode(code: ErrorCode, fn: () => unknown): ChunkvaultError {
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    return expectErrorCode(code, e);
  }
  // A promise would fail after this check has passed: such calls need expectRejectsWithCode.
  if (result instanceof Promise) throw new Error(`expectCode got a promise: use expectRejectsWithCode for ${code}`);
  throw new Error(`expected a ${code} error, but the call returned`);
}

/** Asserts that the promise rejects with a ChunkvaultError with this code. */
export async function expectRejectsWithCode(code: ErrorCode, promise: Promise<unknown>): Promise<ChunkvaultError> {
  try {
    await promise;
  } catch (e) {
    return expectErrorCode(code, e);
  }
  throw new Error(`expected a ${code} rejection, but the promise resolved`);
}

function expectErrorCode(code: ErrorCode, e: unknown): ChunkvaultError {
  expect(isChunkvaultError(e), `expected a ${code} error, got ${String(e)}`).toBe(true);
  expect((e as ChunkvaultError).code, (e as Error).message).toBe(code);
  return e as ChunkvaultError;
}
