// Generated from action.yml by `npm run docs`: edit action.yml and regenerate, not this file.

/**
 * How the action reads one input: the modes that read it ('all': every mode) and
 * action.yml's default. Mode names are plain strings here, so that this file depends on
 * nothing; the generator accepts only constants.ts's MODES.
 */
export interface ActionInputSpec {
  readonly modes: 'all' | readonly string[];
  readonly default?: string;
  readonly required: boolean;
}

/** action.yml's inputs, in its order. */
export const ACTION_INPUTS = {
  'mode': { modes: 'all', default: 'backup', required: false },
  'repository': { modes: 'all', required: true },
  'password': { modes: 'all', required: true },
  'source': { modes: ['backup'], required: false },
  'dump-command': { modes: ['backup'], required: false },
  'dump-filename': { modes: ['backup'], default: 'dump.sql', required: false },
  'allow-empty-dump': { modes: ['backup'], default: 'false', required: false },
  'exclude': { modes: ['backup'], required: false },
  'init': { modes: ['backup'], default: 'true', required: false },
  'host': { modes: ['backup', 'restore', 'drill', 'snapshots', 'ls', 'forget'], required: false },
  'tags': { modes: ['backup', 'restore', 'drill', 'snapshots', 'ls', 'forget'], required: false },
  'compression': { modes: ['backup'], default: 'auto', required: false },
  'fail-on-error': { modes: ['backup'], default: 'true', required: false },
  'snapshot': { modes: ['restore', 'drill', 'ls'], default: 'latest', required: false },
  'path': { modes: ['restore', 'drill', 'snapshots', 'ls', 'forget'], required: false },
  'ls-path': { modes: ['ls'], required: false },
  'target': { modes: ['restore'], required: false },
  'include': { modes: ['restore', 'drill'], required: false },
  'overwrite': { modes: ['restore'], default: 'false', required: false },
  'max-snapshot-age': { modes: ['drill'], required: false },
  'max-rto': { modes: ['drill'], required: false },
  'drill-command': { modes: ['drill'], required: false },
  'keep-restore': { modes: ['drill'], default: 'false', required: false },
  'read-data-subset': { modes: ['check'], required: false },
  'keep-last': { modes: ['forget'], required: false },
  'keep-hourly': { modes: ['forget'], required: false },
  'keep-daily': { modes: ['forget'], required: false },
  'keep-weekly': { modes: ['forget'], required: false },
  'keep-monthly': { modes: ['forget'], required: false },
  'keep-yearly': { modes: ['forget'], required: false },
  'keep-within': { modes: ['forget'], required: false },
  'keep-tag': { modes: ['forget'], required: false },
  'group-by': { modes: ['forget'], default: 'host,paths', required: false },
  'prune': { modes: ['forget'], default: 'false', required: false },
  'dry-run': { modes: ['forget', 'prune'], default: 'false', required: false },
  'max-unused': { modes: ['forget', 'prune'], default: '5%', required: false },
  'max-repack-size': { modes: ['forget', 'prune'], required: false },
  'lock-wait': { modes: 'all', default: '5m', required: false },
  'concurrency': { modes: 'all', required: false },
  'ca-file': { modes: 'all', required: false },
  'metadata-cache': { modes: 'all', default: 'true', required: false },
  'aws-access-key-id': { modes: 'all', required: false },
  'aws-secret-access-key': { modes: 'all', required: false },
  'aws-session-token': { modes: 'all', required: false },
  'aws-region': { modes: 'all', required: false },
  's3-path-style': { modes: 'all', required: false },
} as const satisfies Readonly<Record<string, ActionInputSpec>>;

export type ActionInputName = keyof typeof ACTION_INPUTS;

/** action.yml's outputs, in its order. */
export const ACTION_OUTPUTS = [
  'snapshot-id',
  'snapshot-short-id',
  'parent-id',
  'files-new',
  'files-changed',
  'files-unmodified',
  'bytes-processed',
  'bytes-added',
  'duration-ms',
  'error-count',
  'dump-bytes',
  'files-restored',
  'bytes-restored',
  'drill-status',
  'rto-seconds',
  'files-verified',
  'bytes-verified',
  'snapshot-age-seconds',
  'restore-dir',
  'errors',
  'packs-read',
  'bytes-read',
  'snapshots',
  'removed-snapshots',
  'kept-snapshots',
  'removed-count',
  'packs-deleted',
  'packs-repacked',
  'bytes-freed',
] as const;

export type ActionOutputName = (typeof ACTION_OUTPUTS)[number];
