/**
 * The markdown report: a pull-request comment or a `$GITHUB_STEP_SUMMARY` page. GitHub caps both at 65,536
 * characters, so the page is built to a budget: the counts by rule always, then the findings grouped by table (each
 * fix SQL folded in a <details> block) until the budget runs out, with a line saying how many were left out. Each
 * time-partitioned table gets a Mermaid gantt chart (GitHub renders it) of its partitions against the horizon the
 * partition-coverage rule requires.
 */
import type { Finding, Severity } from '../engine/types.js';
import type { PartitionTimeline } from '../../rules/partition-coverage/timeline.js';
import type { Summary } from './summary.js';

export const GITHUB_MARKDOWN_LIMIT = 65_536;

export interface MarkdownInput {
  findings: Finding[];
  summary: Summary;
  toolVersion: string;
  /** The git ref of `--changed-since`, when the run reports a change. */
  changedSince?: string;
  timelines: PartitionTimeline[];
  /** Characters the page may take (default GitHub's limit, less a margin for what a workflow appends). */
  maxLength?: number;
}

const ICON: Record<Severity, string> = { error: '🔴', warning: '🟡', note: '🔵' };
const DAY = 86_400_000;
/** At most this many partitions per chart, the latest ones: a daily-partitioned table has thousands. */
const MAX_BARS = 36;
const MAX_CHARTS = 12;

/** Text that markdown must show as written (identifiers with `_`, `*`, `<`). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]|~]/g, '\\$&').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function tableOf(finding: Finding): string {
  return `${finding.object.schema}.${finding.object.name}`;
}

function where(finding: Finding): string {
  return finding.origin.kind === 'file' ? `${finding.origin.file}:${finding.origin.line}:${finding.origin.column}` : finding.origin.object;
}

/** A fenced block whose fence is longer than any backtick run inside (SQL comments could hold some). */
function fenced(language: string, body: string): string {
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${body}\n${fence}`;
}

function renderFinding(finding: Finding): string {
  const lines = [`- ${ICON[finding.severity]} **${finding.severity}** \`${finding.ruleId}\` ${escapeMarkdown(finding.message)}  \n  <sub>${escapeMarkdown(where(finding))}</sub>`];
  if (finding.fix) {
    const label = finding.fix.safety === 'review' ? 'Fix (review: a plan or a rewrite to apply by hand)' : 'Fix';
    const notes = finding.fix.notes.map((note) => `  > ${escapeMarkdown(note)}`).join('\n');
    lines.push(
      '',
      `  <details><summary>${label}</summary>`,
      '',
      fenced('sql', finding.fix.sql).replace(/^/gm, '  '),
      ...(notes ? ['', notes] : []),
      '',
      '  </details>',
    );
  }
  return lines.join('\n');
}

const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Mermaid task names end at `:` and break at `#` / `;`: keep names readable, without those. */
const taskName = (name: string): string => name.replace(/[:;#]/g, '_').replace(/\s+/g, ' ').trim() || '_';

/** One gantt chart: the partitions (latest MAX_BARS), the gaps and the uncovered stretch in red, the horizon as a milestone. */
export function renderTimeline(timeline: PartitionTimeline): string {
  const finite = timeline.partitions.filter((p) => Number.isFinite(p.from) || Number.isFinite(p.to));
  const shown = finite.slice(-MAX_BARS);
  const firstShown = shown.length ? (Number.isFinite(shown[0].from) ? shown[0].from : shown[0].to - 30 * DAY) : timeline.now;
  const lines = ['gantt', `  title ${taskName(timeline.table)}: partitions against the horizon ${isoDay(timeline.required)}`, '  dateFormat YYYY-MM-DD', '  axisFormat %Y-%m-%d'];
  lines.push(`  section ${taskName(timeline.table)}`);
  let id = 0;
  for (const partition of shown) {
    const from = Number.isFinite(partition.from) ? partition.from : partition.to - 30 * DAY;
    const to = Number.isFinite(partition.to) ? partition.to : Math.max(timeline.required, from + DAY);
    const suffix = Number.isFinite(partition.to) ? '' : ' (MAXVALUE)';
    lines.push(`  ${taskName(partition.name)}${suffix} :done, p${id++}, ${isoDay(from)}, ${isoDay(Math.max(to, from + DAY))}`);
  }
  for (const gap of timeline.gaps.filter((g) => g.to >= firstShown)) {
    lines.push(`  gap :crit, g${id++}, ${isoDay(gap.from)}, ${isoDay(Math.max(gap.to, gap.from + DAY))}`);
  }
  if (!timeline.unbounded && (timeline.covered === undefined || timeline.covered < timeline.required)) {
    const from = timeline.covered ?? firstShown;
    lines.push(`  not covered :crit, u${id++}, ${isoDay(from)}, ${isoDay(Math.max(timeline.required, from + DAY))}`);
  }
  lines.push(`  horizon ${isoDay(timeline.required)} :milestone, h${id}, ${isoDay(timeline.required)}, 0d`);
  const hidden = finite.length - shown.length;
  return `${fenced('mermaid', lines.join('\n'))}${hidden > 0 ? `\n\n<sub>${hidden} earlier partitions not drawn.</sub>` : ''}`;
}

export function renderMarkdown(input: MarkdownInput): string {
  const limit = input.maxLength ?? GITHUB_MARKDOWN_LIMIT - 1_536;
  const { summary, findings } = input;
  const head: string[] = ['## schema-lint', ''];
  const { error, warning, note } = summary.bySeverity;
  const scope = input.changedSince ? ` introduced since \`${escapeMarkdown(input.changedSince)}\`` : '';
  head.push(
    findings.length === 0
      ? `✅ No findings${scope}. ${summary.database ? `Database ${escapeMarkdown(summary.database)} read.` : `${plural(summary.filesLinted, 'file')} linted.`}`
      : `**${plural(findings.length, 'finding')}${scope}**: ${plural(error, 'error')}, ${plural(warning, 'warning')}, ${plural(note, 'note')} · ${summary.database ? `database ${escapeMarkdown(summary.database)}` : plural(summary.filesLinted, 'file')} · ${summary.withFix} with a fix`,
  );
  if (summary.baselined || summary.suppressed) {
    head.push('', `<sub>${[summary.baselined ? `${summary.baselined} in the baseline` : '', summary.suppressed ? `${summary.suppressed} suppressed` : ''].filter(Boolean).join(' · ')}</sub>`);
  }
  if (findings.length) {
    head.push('', '| rule | findings | errors | warnings | notes |', '|---|--:|--:|--:|--:|');
    const rules = [...new Set(findings.map((f) => f.ruleId))].sort((a, b) => summary.byRule[b] - summary.byRule[a] || a.localeCompare(b));
    for (const rule of rules) {
      const of = (severity: Severity): number => findings.filter((f) => f.ruleId === rule && f.severity === severity).length;
      head.push(`| \`${rule}\` | ${summary.byRule[rule]} | ${of('error')} | ${of('warning')} | ${of('note')} |`);
    }
  }

  const charts = input.timelines.slice(0, MAX_CHARTS).map((timeline) => `#### ${escapeMarkdown(timeline.table)}\n\n${renderTimeline(timeline)}`);
  let timelineSection = charts.length ? ['', '### Partition coverage', '', charts.join('\n\n')].join('\n') : '';
  if (input.timelines.length > MAX_CHARTS) timelineSection += `\n\n<sub>${input.timelines.length - MAX_CHARTS} more partitioned tables not drawn.</sub>`;
  const footer = `\n\n---\n<sub>schema-lint ${escapeMarkdown(input.toolVersion)}</sub>\n`;

  const byTable = new Map<string, Finding[]>();
  for (const finding of findings) {
    const table = tableOf(finding);
    const list = byTable.get(table);
    if (list) list.push(finding);
    else byTable.set(table, [finding]);
  }
  const rank = (list: Finding[]): number => Math.max(...list.map((f) => ({ error: 3, warning: 2, note: 1 })[f.severity]));
  const tables = [...byTable.entries()].sort((a, b) => rank(b[1]) - rank(a[1]) || a[0].localeCompare(b[0]));

  let body = head.join('\n');
  if (body.length + timelineSection.length + footer.length > limit) timelineSection = '\n\n<sub>Partition timelines left out: the page is full.</sub>';
  const budget = limit - timelineSection.length - footer.length - 200;
  let shown = 0;
  const parts: string[] = [];
  if (tables.length) parts.push('', '### Findings by table');
  for (const [table, list] of tables) {
    const section = `\n#### ${escapeMarkdown(table)} (${list.length})\n\n`;
    let text = section;
    let added = 0;
    for (const finding of list) {
      const item = `${renderFinding(finding)}\n`;
      if (body.length + parts.join('\n').length + text.length + item.length > budget) break;
      text += item;
      added++;
    }
    if (added === 0) break;
    parts.push(text);
    shown += added;
    if (added < list.length) break;
  }
  if (shown < findings.length) {
    parts.push(`\n<sub>${findings.length - shown} more ${findings.length - shown === 1 ? 'finding' : 'findings'} not shown (the page is limited to ${GITHUB_MARKDOWN_LIMIT.toLocaleString('en-US')} characters): see the SARIF or JSON report.</sub>`);
  }
  if (parts.length) body += `\n${parts.join('\n')}`;
  return `${body}${timelineSection}${footer}`;
}
