import type { JsonReport } from './run-cli.js';

/** A `--format json` report read from a file or stdout (`parseJsonReport` takes a whole CLI result instead). */
export function parseReport(text: string): JsonReport {
  return JSON.parse(text) as JsonReport;
}
