/** The version written into snapshots (`program_version`) and printed by the CLI. */
export const PROGRAM_VERSION = '0.1.0';
