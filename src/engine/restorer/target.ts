/**
 * The restore target: a directory that is absent (created) or empty; anything else is
 * refused unless overwriting was asked for. The target path is the user's choice, so a
 * symlink there is followed once, here; everything below it is created by the restorer
 * and never followed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { invalidInput } from '../errors.ts';

export interface TargetCheck {
  /** The absolute target path as given (not yet resolved). */
  readonly absolute: string;
  readonly exists: boolean;
}

/** How a shell names the target and the overwrite setting, so a refusal says what to change. */
export interface TargetSettingNames {
  /** `input 'target'`, `--target`. */
  readonly target: string;
  /** What turns overwriting on: `set 'overwrite: true'`, `pass --overwrite`. */
  readonly overwrite: string;
}

const ENGINE_NAMES: TargetSettingNames = { target: 'restore target', overwrite: 'allow overwriting' };

/** Fails with InvalidInput when the target cannot be restored into. No side effects. */
export function checkTarget(target: string, overwrite: boolean, names: TargetSettingNames = ENGINE_NAMES): TargetCheck {
  if (target.trim() === '') throw invalidInput(`no ${names.target} given`);
  const absolute = path.resolve(target);
  let st: fs.Stats;
  try {
    st = fs.statSync(absolute);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { absolute, exists: false };
    throw invalidInput(`${names.target}: ${absolute}: ${(e as Error).message}`, e);
  }
  if (!st.isDirectory()) throw invalidInput(`${names.target}: ${absolute} exists and is not a directory: name a directory (absent or empty)`);
  if (!overwrite) {
    const entries = fs.readdirSync(absolute);
    if (entries.length > 0) {
      throw invalidInput(
        `${names.target}: ${absolute} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}): ` +
          `restore into a new or empty directory, or ${names.overwrite} to replace existing files`,
      );
    }
  }
  return { absolute, exists: true };
}

/** Checks the target again, creates it when absent, and returns its real path. */
export function prepareTarget(target: string, overwrite: boolean): string {
  const { absolute, exists } = checkTarget(target, overwrite);
  if (!exists) fs.mkdirSync(absolute, { recursive: true, mode: 0o700 });
  return fs.realpathSync(absolute);
}
