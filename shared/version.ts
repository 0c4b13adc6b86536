/** The package version, reported by the CLI, /api/health and every JAMS annotation. */
export const VERSION = '0.1.0';
