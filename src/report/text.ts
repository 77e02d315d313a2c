/**
 * The terminal report, shaped like ESLint's and squawk's: findings grouped by file, one line each
 * (`line:col  severity  title  rule`), then a summary a DBA reads in one glance — counts by rule, the tables with most
 * findings, how many fixes the script would hold. Fixes are printed only on request (`--show-fixes`), the full
 * explanation only with `--verbose`. Every name is shown with control characters escaped.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import { FIX_SAFETY_RANK, type Finding, type FixSafety, type Severity } from '../engine/types.js';
import { escapeControl, safeLines } from '../shared/unsafe-text.js';
import { joined } from './chunks.js';
import type { Summary } from './summary.js';

/** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
export function colorFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): ChalkInstance {
  const enabled = Boolean(stream.isTTY) && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb';
  return new Chalk({ level: enabled ? 1 : 0 });
}

export interface TextOptions {
  /** Print each finding's fix under it. */
  showFixes: boolean;
  /** Print each finding's full explanation under it. */
  verbose?: boolean;
  /** `--fix-sql` was given, so the summary need not say how to get the fixes. */
  fixScriptGiven?: boolean;
  /** Terminal width: finding lines are cut to it (the title shortened). Unset: lines are never cut. */
  width?: number;
}

function groupName(finding: Finding): string {
  return finding.origin.kind === 'file' ? finding.origin.file : `database ${finding.origin.database}`;
}

function location(finding: Finding): string {
  return finding.origin.kind === 'file' ? `${finding.origin.line}:${finding.origin.column}` : '';
}

function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}

/**
 * Shortens a title to `max` characters. Titles read `object: problem`; the problem is what the line is for, so the
 * object name gives way first (cut in the middle, keeping its schema and its end), then the end of the text.
 */
function fit(text: string, max: number): string {
  if (text.length <= max) return text;
  const split = text.indexOf(': ');
  if (split > 0) {
    const head = text.slice(0, split);
    const tail = text.slice(split);
    const room = max - tail.length;
    if (room >= 12) {
      const keep = room - 1;
      const front = Math.ceil(keep / 2);
      return `${head.slice(0, front)}…${head.slice(head.length - (keep - front))}${tail}`;
    }
  }
  return max <= 1 ? '…' : `${text.slice(0, max - 1)}…`;
}

/** `label  a, b, c` broken after commas to fit the width, continuation lines indented under the first item. */
function wrapList(label: string, items: string[], width: number | undefined): string[] {
  const first = `  ${label}  `;
  if (!width) return [`${first}${items.join(', ')}`];
  const lines: string[] = [];
  let line = first;
  for (const [i, item] of items.entries()) {
    const piece = `${item}${i < items.length - 1 ? ',' : ''}`;
    if (line.trim().length > label.length && line.length + 1 + piece.length > width) {
      lines.push(line.trimEnd());
      line = ' '.repeat(first.length);
    }
    line += line.endsWith(' ') ? piece : ` ${piece}`;
  }
  lines.push(line.trimEnd());
  return lines;
}

const SAFETY_WORDS: Record<FixSafety, string> = { safe: 'safe', behaviour: 'behaviour-changing', review: 'to review' };

function fixSummary(findings: Finding[], fixScriptGiven: boolean): string | undefined {
  const counts: Record<FixSafety, number> = { safe: 0, behaviour: 0, review: 0 };
  for (const finding of findings) if (finding.fix) counts[finding.fix.safety]++;
  const total = counts.safe + counts.behaviour + counts.review;
  if (!total) return undefined;
  const parts = (Object.keys(counts) as FixSafety[])
    .sort((a, b) => FIX_SAFETY_RANK[a] - FIX_SAFETY_RANK[b])
    .filter((s) => counts[s])
    .map((s) => `${counts[s]} ${SAFETY_WORDS[s]}`);
  return `${total} fixable (${parts.join(', ')})${fixScriptGiven ? '' : ': --fix-sql FILE writes them'}`;
}

function topEntries(counts: Map<string, number>, limit: number): Array<[string, number]> {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, limit);
}

function tableName(finding: Finding): string {
  return finding.object.kind === 'schema' ? `schema ${finding.object.schema}` : `${finding.object.schema}.${finding.object.name}`;
}

/** The text report, yielded line by line (each with its newline): a big schema's report is never one string. */
export function* textReport(findings: Finding[], summary: Summary, color: ChalkInstance, options: TextOptions): Generator<string> {
  const paint: Record<Severity, (text: string) => string> = { error: color.red, warning: color.yellow, note: color.blue };
  // Loops, not Math.max(...spread): a spread of ~190,000 findings overflows the call stack.
  let locationWidth = 0;
  let severityWidth = 0;
  for (const finding of findings) {
    locationWidth = Math.max(locationWidth, location(finding).length);
    severityWidth = Math.max(severityWidth, finding.severity.length);
  }
  let currentGroup: string | undefined;
  for (const finding of findings) {
    const group = groupName(finding);
    if (group !== currentGroup) {
      if (currentGroup !== undefined) yield '\n';
      yield `${color.underline(escapeControl(group))}\n`;
      currentGroup = group;
    }
    const where = location(finding).padStart(locationWidth);
    const severity = finding.severity.padEnd(severityWidth);
    const prefix = `  ${where ? `${where}  ` : ''}${severity}  `;
    const suffix = `  ${finding.ruleId}`;
    let title = escapeControl(finding.title);
    if (options.width) title = fit(title, Math.max(10, options.width - prefix.length - suffix.length));
    yield `  ${where ? `${color.dim(where)}  ` : ''}${paint[finding.severity](severity)}  ${title}${color.dim(suffix)}\n`;
    if (options.verbose) for (const line of safeLines(finding.message)) yield `      ${line}\n`;
    if (options.showFixes && finding.fix) {
      const label = finding.fix.safety === 'safe' ? 'fix (safe):' : finding.fix.safety === 'behaviour' ? 'fix (changes behaviour):' : 'fix (a plan to review):';
      yield `      ${color.green(label)}\n`;
      for (const line of safeLines(finding.fix.sql)) yield `        ${line}\n`;
    }
  }
  if (findings.length) yield '\n';

  const out: string[] = [];
  const { error, warning, note } = summary.bySeverity;
  const counts = `${plural(error, 'error')}, ${plural(warning, 'warning')}, ${plural(note, 'note')}`;
  out.push(findings.length === 0 ? color.green('No problems found.') : color.bold(`${plural(findings.length, 'problem')} (${counts})`));
  if (findings.length) {
    const byRule = topEntries(new Map(Object.entries(summary.byRule)), Infinity);
    out.push(...wrapList('by rule:', byRule.map(([rule, count]) => `${rule} ${count}`), options.width));
    const byTable = new Map<string, number>();
    for (const finding of findings) byTable.set(tableName(finding), (byTable.get(tableName(finding)) ?? 0) + 1);
    if (byTable.size > 1) {
      const top = topEntries(byTable, 5).filter(([, count]) => count > 1);
      if (top.length) out.push(...wrapList('most findings:', top.map(([table, count]) => `${escapeControl(table)} ${count}`), options.width));
    }
    const fixes = fixSummary(findings, options.fixScriptGiven ?? false);
    if (fixes) out.push(`  ${fixes}`);
  }
  const extras = [summary.database ? `database ${escapeControl(summary.database)} read` : `${plural(summary.filesLinted, 'file')} linted`];
  if (summary.syntaxErrors) extras.push(color.red(plural(summary.syntaxErrors, 'syntax error')));
  if (summary.baselined) extras.push(`${summary.baselined} in the baseline`);
  if (summary.fixedSinceBaseline) extras.push(`${summary.fixedSinceBaseline} baseline entries now fixed`);
  if (summary.suppressed) extras.push(`${summary.suppressed} suppressed`);
  out.push(`  ${extras.join(', ')}.`);
  yield `${out.join('\n')}\n`;
}

export function renderText(findings: Finding[], summary: Summary, color: ChalkInstance, options: TextOptions): string {
  return joined(textReport(findings, summary, color, options));
}
