import type { Finding, Severity } from '../engine/types.js';

export interface Summary {
  findings: number;
  bySeverity: Record<Severity, number>;
  byRule: Record<string, number>;
  withFix: number;
  filesLinted: number;
  /** Live mode: the database read (`host:port/db`, no credentials). */
  database?: string;
  syntaxErrors: number;
  /** Findings left out because the baseline holds them. */
  baselined?: number;
  /** Baseline entries that no longer occur. */
  fixedSinceBaseline?: number;
  suppressed?: number;
}

export function summarize(findings: Finding[], extra: Omit<Summary, 'findings' | 'bySeverity' | 'byRule' | 'withFix'>): Summary {
  const bySeverity: Record<Severity, number> = { error: 0, warning: 0, note: 0 };
  const byRule: Record<string, number> = {};
  for (const finding of findings) {
    bySeverity[finding.severity]++;
    byRule[finding.ruleId] = (byRule[finding.ruleId] ?? 0) + 1;
  }
  return { findings: findings.length, bySeverity, byRule, withFix: findings.filter((f) => f.fix).length, ...extra };
}
