/** The backup's step outputs, with the figures of src/report/figures.ts. */
import * as core from '@actions/core';
import type { BackupResult } from '../engine/index.ts';
import { compressionRatio, dedupRatio, ratioOutput } from '../report/figures.ts';
import { Outputs } from './constants.ts';

export function setBackupOutputs(r: BackupResult, errorCount: number): void {
  const s = r.stats;
  core.setOutput(Outputs.SnapshotId, r.snapshotId);
  core.setOutput(Outputs.SnapshotShortId, r.snapshotId.slice(0, 8));
  core.setOutput(Outputs.ParentId, r.parentId ?? '');
  core.setOutput(Outputs.FilesNew, s.filesNew);
  core.setOutput(Outputs.FilesChanged, s.filesChanged);
  core.setOutput(Outputs.FilesUnmodified, s.filesUnmodified);
  core.setOutput(Outputs.BytesProcessed, s.bytesProcessed);
  core.setOutput(Outputs.BytesAdded, s.bytesAdded);
  core.setOutput(Outputs.DataAdded, s.dataAdded);
  core.setOutput(Outputs.DedupRatio, ratioOutput(dedupRatio(s)));
  core.setOutput(Outputs.CompressionRatio, ratioOutput(compressionRatio(s)));
  core.setOutput(Outputs.DurationMs, s.durationMs);
  core.setOutput(Outputs.ErrorCount, errorCount);
  if (r.dump) core.setOutput(Outputs.DumpBytes, r.dump.bytes);
}
