/** Applies inline suppressions and config to findings, and tells which suppressions matched nothing. */
import type { Suppression } from '../shared/suppression.js';
import type { Finding } from './types.js';

export interface SuppressionResult {
  kept: Finding[];
  suppressed: number;
  unused: Suppression[];
}

export function applySuppressions(findings: Finding[], suppressions: Suppression[]): SuppressionResult {
  if (suppressions.length === 0) return { kept: findings, suppressed: 0, unused: [] };
  const used = new Set<Suppression>();
  const kept: Finding[] = [];
  for (const finding of findings) {
    const origin = finding.origin;
    const match =
      origin.kind === 'file'
        ? suppressions.find(
            (s) => s.file === origin.file && origin.line >= s.fromLine && origin.line <= s.toLine && (s.rules.length === 0 || s.rules.includes(finding.ruleId)),
          )
        : undefined;
    if (match) used.add(match);
    else kept.push(finding);
  }
  return { kept, suppressed: findings.length - kept.length, unused: suppressions.filter((s) => !used.has(s)) };
}
