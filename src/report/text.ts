/** The terminal report: findings grouped by file, each with location, severity, message, rule id and fix. */
import { Chalk, type ChalkInstance } from 'chalk';
import type { Finding, Severity } from '../engine/types.js';
import type { Summary } from './summary.js';

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function colorFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): ChalkInstance {
  const enabled = Boolean(stream.isTTY) && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb';
  return new Chalk({ level: enabled ? 1 : 0 });
}

function groupName(finding: Finding): string {
  return finding.origin.kind === 'file' ? finding.origin.file : `database ${finding.origin.database}`;
}

function location(finding: Finding): string {
  return finding.origin.kind === 'file' ? `${finding.origin.line}:${finding.origin.column}` : finding.origin.object;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function renderText(findings: Finding[], summary: Summary, color: ChalkInstance, options: { showFixes: boolean }): string {
  const paint: Record<Severity, (text: string) => string> = { error: color.red, warning: color.yellow, note: color.blue };
  const out: string[] = [];
  let currentGroup: string | undefined;
  for (const finding of findings) {
    const group = groupName(finding);
    if (group !== currentGroup) {
      if (currentGroup !== undefined) out.push('');
      out.push(color.underline(group));
      currentGroup = group;
    }
    out.push(`  ${color.dim(location(finding))}  ${paint[finding.severity](finding.severity)}  ${finding.message}  ${color.dim(finding.ruleId)}`);
    if (options.showFixes && finding.fix) {
      const label = finding.fix.safety === 'review' ? 'fix (review, a plan to adapt):' : 'fix:';
      out.push(`    ${color.green(label)}`);
      for (const line of finding.fix.sql.split('\n')) out.push(`      ${line}`);
    }
  }
  if (findings.length) out.push('');
  const { error, warning, note } = summary.bySeverity;
  const counts = `${plural(error, 'error')}, ${plural(warning, 'warning')}, ${plural(note, 'note')}`;
  const head = findings.length === 0 ? color.green('No problems found') : color.bold(`${plural(findings.length, 'problem')} (${counts})`);
  const extras = [summary.database ? `database ${summary.database} read` : `${plural(summary.filesLinted, 'file')} linted`];
  if (summary.withFix) extras.push(`${summary.withFix} with a fix (--fix-sql FILE writes the script)`);
  if (summary.syntaxErrors) extras.push(color.red(plural(summary.syntaxErrors, 'syntax error')));
  if (summary.baselined) extras.push(`${summary.baselined} in the baseline`);
  if (summary.fixedSinceBaseline) extras.push(`${summary.fixedSinceBaseline} baseline entries now fixed`);
  if (summary.suppressed) extras.push(`${summary.suppressed} suppressed`);
  out.push(`${head}; ${extras.join(', ')}.`);
  return `${out.join('\n')}\n`;
}
