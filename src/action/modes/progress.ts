/** Progress lines in the log: often enough to see movement, rare enough to read. */
export const PROGRESS_INTERVAL_MS = 10_000;
