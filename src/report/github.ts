/**
 * GitHub Actions workflow commands (`::error file=…::message`): annotations on the pull request's changed lines.
 * The runner resolves `file` against the repository root, so paths are made relative to it, not to the cwd.
 */
import type { Finding, Severity } from '../engine/types.js';
import { escapeControl } from '../shared/unsafe-text.js';
import { repoRelativePath } from './repo-path.js';

const COMMAND: Record<Severity, 'error' | 'warning' | 'notice'> = { error: 'error', warning: 'warning', note: 'notice' };

/** Escaping for the message part, as the runner's `escapeData` does. */
export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escaping for property values, where `:` and `,` also separate fields. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function githubAnnotation(finding: Finding, cwd: string, repoRoot: string): string {
  const properties: [string, string | number][] = [];
  if (finding.origin.kind === 'file') {
    const origin = finding.origin;
    // A file outside the repository cannot be annotated in place; the runner then shows it on the summary only.
    const file = repoRelativePath(origin.file, cwd, repoRoot);
    if (file !== undefined) {
      properties.push(['file', file], ['line', origin.line], ['col', origin.column]);
      if (origin.endLine >= origin.line) properties.push(['endLine', origin.endLine]);
      if (origin.endColumn >= 1) properties.push(['endColumn', origin.endColumn]);
    }
  }
  properties.push(['title', finding.ruleId]);
  const props = properties.map(([name, value]) => `${name}=${escapeProperty(String(value))}`).join(',');
  // Names in the message may hold escape sequences that a runner's log would obey: show them escaped (line breaks
  // are the runner's own %0D/%0A escapes).
  const message = finding.message.split(/(\r|\n)/).map((part) => (part === '\r' || part === '\n' ? part : escapeControl(part))).join('');
  return `::${COMMAND[finding.severity]} ${props}::${escapeData(message)}`;
}

/** One workflow command per finding, newline-terminated (empty when there are none). */
export function renderGithubAnnotations(findings: Finding[], cwd: string, repoRoot: string): string {
  return findings.map((finding) => `${githubAnnotation(finding, cwd, repoRoot)}\n`).join('');
}
