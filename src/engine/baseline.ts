/**
 * Baselines: the finding keys of an accepted state, so a pull-request check fails only on new findings.
 * The file is sorted, one key per line of JSON, so it diffs well in review.
 */
import { readFileSync } from 'node:fs';
import type { Finding } from './types.js';

export class BaselineError extends Error {}

export interface Baseline {
  version: 1;
  findings: Array<{ key: string; ruleId: string }>;
}

export function renderBaseline(findings: Finding[]): string {
  const entries = [...new Map(findings.map((f) => [f.key, f.ruleId])).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const lines = entries.map(([key, ruleId]) => `    ${JSON.stringify({ key, ruleId })}`);
  return `{\n  "version": 1,\n  "findings": [\n${lines.join(',\n')}\n  ]\n}\n`.replace('[\n\n  ]', '[]');
}

export function readBaseline(file: string): Set<string> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BaselineError(`${file}: ${code === 'ENOENT' ? 'no such baseline file' : `not a baseline file (${(error as Error).message})`}`);
  }
  // Any JSON: null, a list, findings that are not objects.
  const baseline = raw as Partial<{ version: unknown; findings: unknown }> | null;
  const keys = baseline?.version === 1 && Array.isArray(baseline.findings) ? baseline.findings.map((f) => (f as { key?: unknown } | null)?.key) : [];
  if (baseline?.version !== 1 || !Array.isArray(baseline.findings) || !keys.every((key): key is string => typeof key === 'string')) {
    throw new BaselineError(`${file}: not a schema-lint baseline (expected {"version": 1, "findings": [{"key": …}]})`);
  }
  return new Set(keys);
}

export function applyBaseline(findings: Finding[], keys: Set<string>): { fresh: Finding[]; baselined: number; fixed: number } {
  const fresh = findings.filter((f) => !keys.has(f.key));
  const present = new Set(findings.map((f) => f.key));
  let fixed = 0;
  for (const key of keys) if (!present.has(key)) fixed++;
  return { fresh, baselined: findings.length - fresh.length, fixed };
}
