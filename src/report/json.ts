import type { Finding } from '../engine/types.js';
import type { Diagnostic } from '../shared/diagnostic.js';
import type { Summary } from './summary.js';

/** The JSON report (README documents the shape): one flat findings array, each finding once. */
export function renderJson(input: { toolVersion: string; findings: Finding[]; diagnostics: Diagnostic[]; summary: Summary }): string {
  const report = {
    version: 1,
    tool: { name: 'schema-lint', version: input.toolVersion },
    findings: input.findings,
    diagnostics: input.diagnostics,
    summary: input.summary,
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
