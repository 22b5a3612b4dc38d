/**
 * Parallel requests when nobody says otherwise: restic's default for REST and S3. Five
 * 16 MiB pack uploads keep a gigabit link busy while chunking goes on, and hold at most
 * 80 MiB of packs in flight. Its own module, so that knowing it does not load a backend.
 */
export const DEFAULT_REMOTE_CONNECTIONS = 5;
