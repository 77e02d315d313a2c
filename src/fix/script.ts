/**
 * The one fix-up script a DBA reviews and runs: how to run it, lock and statement timeouts, then per finding a
 * comment (rule, object, reason) and its SQL. `review` fixes are plans, so they are written as comments.
 */
import { objectDisplayName } from '../engine/finding-key.js';
import type { Finding } from '../engine/types.js';

function commentLines(text: string, prefix = '-- '): string {
  return text
    .split('\n')
    .map((line) => (line.length ? `${prefix}${line}` : prefix.trimEnd()))
    .join('\n');
}

export function renderFixScript(findings: Finding[], meta: { toolVersion: string; generatedAt: Date }): string {
  const withFix = findings.filter((finding) => finding.fix);
  const concurrently = withFix.some((finding) => finding.fix!.safety === 'safe' && finding.fix!.concurrently);
  const reviewCount = withFix.filter((finding) => finding.fix!.safety === 'review').length;
  const lines: string[] = [
    `-- schema-lint ${meta.toolVersion} fix-up script, generated ${meta.generatedAt.toISOString()}`,
    `-- ${withFix.length} fix${withFix.length === 1 ? '' : 'es'} (${withFix.length - reviewCount} executable, ${reviewCount} to review, written as comments).`,
    '--',
    '-- Review every statement before running it. Run it with:',
    '--   psql -v ON_ERROR_STOP=1 -f <this file>',
  ];
  if (concurrently) {
    lines.push(
      '-- It holds CREATE INDEX CONCURRENTLY, which cannot run inside a transaction block: do not wrap it in',
      '-- BEGIN/COMMIT and do not use psql --single-transaction. Each statement commits on its own; the script',
      '-- is safe to run again after a failure (IF NOT EXISTS guards; an invalid index left by a failed concurrent',
      '-- build must be dropped first).',
    );
  }
  lines.push(
    '',
    "-- Give up instead of queueing behind long transactions (a queued ALTER blocks every query behind it).",
    "SET lock_timeout = '5s';",
    "SET statement_timeout = 0;",
    '',
  );
  if (withFix.length === 0) lines.push('-- Nothing to fix.');
  for (const finding of withFix) {
    const fix = finding.fix!;
    // Object names can hold any character, a newline included: every line of a header stays a comment.
    lines.push(commentLines(`[${finding.ruleId}] ${objectDisplayName(finding.object)}${finding.object.detail ? ` (${finding.object.detail})` : ''}`));
    lines.push(commentLines(finding.message));
    for (const note of fix.notes) lines.push(commentLines(`Note: ${note}`));
    if (fix.safety === 'review') {
      lines.push('-- REVIEW: a plan to read and adapt, not to run as it stands.');
      lines.push(commentLines(fix.sql, '-- | '));
    } else {
      lines.push(fix.sql);
    }
    lines.push('');
  }
  return lines.join('\n');
}
