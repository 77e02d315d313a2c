/**
 * The one fix-up script a DBA reviews and runs, written as a document: how to run it, a table of contents (per rule:
 * how many fixes, how many run, which locks they take), shared setup once, then one section per rule with its notes
 * once and each fix under a one-line heading.
 *
 * What runs depends on the fix's safety and the chosen level: `safe` fixes are statements; `behaviour` fixes are
 * statements only at `--fix-level behaviour`; `review` fixes are always comments, a plan to adapt.
 */
import { objectDisplayName } from '../engine/finding-key.js';
import type { AnyRule, Finding, Fix, FixPrerequisite, FixSafety } from '../engine/types.js';
import { joined } from '../report/chunks.js';
import { safeLines } from '../shared/unsafe-text.js';
import { locksOf } from './locks.js';

export type FixLevel = 'safe' | 'behaviour';

export interface FixScriptMeta {
  toolVersion: string;
  generatedAt: Date;
  /** Which fixes run as statements (default `safe`). */
  fixLevel?: FixLevel;
  /** The rules that ran: section titles come from their summaries. */
  rules?: AnyRule[];
}

/**
 * Where each rule's fixes go. Index builds come before new partitions, so partitions created afterwards inherit a
 * complete (valid) partitioned index instead of leaving the parent's index invalid; constraints and triggers come
 * after the partitions they also reach; plans to review come last. Rules not listed go before the plans.
 */
const SECTION_ORDER = [
  'foreign-key-without-index',
  'jsonb-without-gin-index',
  'partition-coverage',
  'jsonb-without-validation',
  'missing-audit-trigger',
  'high-volume-table-not-partitioned',
];

function sectionRank(ruleId: string): number {
  const index = SECTION_ORDER.indexOf(ruleId);
  if (index >= 0) return ruleId === 'high-volume-table-not-partitioned' ? 1000 : index;
  return 500;
}

/** Every line a comment, whatever line terminators or control characters the text holds. */
export function commentLines(text: string, prefix = '-- '): string {
  return safeLines(text)
    .map((line) => (line.length ? `${prefix}${line}` : prefix.trimEnd()))
    .join('\n');
}

/**
 * Executable SQL must be plain printable text: our builders quote every name (U&"…" for unusual characters), so a
 * raw control character means a builder let one through. Such a fix is not run: it is written as a comment.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is what this pattern is for
const NOT_PRINTABLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/;

type Rendering = 'statement' | 'behaviour-comment' | 'review-comment' | 'unsafe-text-comment';

/** `sql` is the fix's SQL, read once by the caller: a fix may write it each time it is read (create-index.ts). */
function renderingOf(fix: Fix, sql: string, level: FixLevel): Rendering {
  if (fix.safety === 'review') return 'review-comment';
  if (fix.safety === 'behaviour' && level === 'safe') return 'behaviour-comment';
  if (NOT_PRINTABLE.test(sql) || (fix.prerequisites ?? []).some((p) => NOT_PRINTABLE.test(p.sql))) return 'unsafe-text-comment';
  return 'statement';
}

function plural(count: number, word: string, many = `${word}s`): string {
  return `${count} ${count === 1 ? word : many}`;
}

/** A finding that carries a fix: the script is made of these only. */
type FixedFinding = Finding & { fix: Fix };

interface Section {
  ruleId: string;
  findings: FixedFinding[];
}

function sections(findings: FixedFinding[]): Section[] {
  const byRule = new Map<string, FixedFinding[]>();
  for (const finding of findings) {
    const list = byRule.get(finding.ruleId) ?? [];
    list.push(finding);
    byRule.set(finding.ruleId, list);
  }
  return [...byRule.entries()]
    .map(([ruleId, list]) => ({ ruleId, findings: list }))
    .sort((a, b) => sectionRank(a.ruleId) - sectionRank(b.ruleId) || (a.ruleId < b.ruleId ? -1 : 1));
}

/** Notes that more than one fix of a section carries are said once, at the top of the section. */
function sharedNotes(section: Section): Set<string> {
  const counts = new Map<string, number>();
  for (const finding of section.findings) for (const note of new Set(finding.fix.notes)) counts.set(note, (counts.get(note) ?? 0) + 1);
  return new Set([...counts].filter(([, count]) => count > 1).map(([note]) => note));
}

const SAFETY_WORDS: Record<FixSafety, string> = { safe: 'safe', behaviour: 'behaviour-changing', review: 'to review' };

function safetyCounts(findings: FixedFinding[]): string {
  const counts: Record<FixSafety, number> = { safe: 0, behaviour: 0, review: 0 };
  for (const finding of findings) counts[finding.fix.safety]++;
  return (Object.keys(counts) as FixSafety[])
    .filter((safety) => counts[safety] > 0)
    .map((safety) => `${counts[safety]} ${SAFETY_WORDS[safety]}`)
    .join(', ');
}

/** The title names the object; the rule id is the section's. */
function fixHeading(finding: Finding): string {
  const where = finding.origin.kind === 'file' ? ` [${finding.origin.file}:${finding.origin.line}]` : ` [${objectDisplayName(finding.object)}]`;
  return `${finding.title}${where}`;
}

function prerequisitesOf(findings: FixedFinding[]): Array<{ prerequisite: FixPrerequisite; users: FixedFinding[] }> {
  const byId = new Map<string, { prerequisite: FixPrerequisite; users: FixedFinding[] }>();
  for (const finding of findings) {
    for (const prerequisite of finding.fix.prerequisites ?? []) {
      const entry = byId.get(prerequisite.id) ?? { prerequisite, users: [] };
      entry.users.push(finding);
      byId.set(prerequisite.id, entry);
    }
  }
  return [...byId.values()];
}

function commentedSql(sql: string): string {
  return commentLines(sql, '-- | ');
}

/**
 * The script, yielded piece by piece (the header whole, then each fix): a 50 MB dump's script is tens of millions of
 * characters, and the writers stream it into the staged file. The text is the same as `renderFixScript`'s.
 */
export function* fixScript(findings: Finding[], meta: FixScriptMeta): Generator<string> {
  const level = meta.fixLevel ?? 'safe';
  const summaries = new Map((meta.rules ?? []).map((rule) => [rule.id, rule.docs.summary]));
  const withFix = findings.filter((finding): finding is FixedFinding => finding.fix !== undefined);
  // One read of each fix's SQL for the contents (how it is written, which locks it takes), one more to write it.
  const rendering = new Map<FixedFinding, Rendering>();
  const locks = new Map<FixedFinding, string[]>();
  for (const finding of withFix) {
    const sql = finding.fix.sql;
    const how = renderingOf(finding.fix, sql, level);
    rendering.set(finding, how);
    if (how === 'statement') locks.set(finding, locksOf(sql));
  }
  const runs = (finding: FixedFinding): boolean => rendering.get(finding) === 'statement';
  const executable = withFix.filter(runs);
  const behaviourHeld = withFix.filter((finding) => rendering.get(finding) === 'behaviour-comment').length;
  const parts = sections(withFix);

  const lines: string[] = [
    `-- schema-lint ${meta.toolVersion} fix-up script, generated ${meta.generatedAt.toISOString()}`,
    `-- ${plural(withFix.length, 'fix', 'fixes')}: ${executable.length} written as statements, ${withFix.length - executable.length} as comments (fix level: ${level}).`,
    '--',
    '-- Review every statement before running it. Run it with:',
    '--   psql -v ON_ERROR_STOP=1 -f <this file>',
  ];
  if (executable.some((finding) => finding.fix.concurrently)) {
    lines.push(
      '-- It holds CREATE INDEX CONCURRENTLY, which cannot run inside a transaction block: do not wrap it in',
      '-- BEGIN/COMMIT and do not use psql --single-transaction. Each statement commits on its own, and the script',
      '-- can run again after a failure: what exists is skipped, and an index a failed build left INVALID is dropped',
      '-- and built again.',
    );
  }
  if (behaviourHeld) {
    lines.push(
      `-- ${plural(behaviourHeld, 'fix', 'fixes')} change${behaviourHeld === 1 ? 's' : ''} what the database accepts or does on every write (a new CHECK, a new`,
      '-- trigger): written as comments. `--fix-level behaviour` writes them as statements.',
    );
  }
  if (parts.length) {
    lines.push('--', '-- Contents:');
    parts.forEach((section, i) => {
      const running = section.findings.filter(runs).length;
      lines.push(`--   ${i + 1}. ${section.ruleId}: ${plural(section.findings.length, 'fix', 'fixes')} (${safetyCounts(section.findings)}), ${running} as statements`);
      const taken = [...new Set(section.findings.filter(runs).flatMap((finding) => locks.get(finding) ?? []))];
      for (const lock of taken) lines.push(`--        lock: ${lock}`);
    });
    lines.push('--', '-- Safety: safe = changes nothing a write sees; behaviour-changing = can make a working write fail or adds');
    lines.push('-- work to every write; to review = a plan to read and adapt, always a comment.');
  }
  lines.push(
    '',
    '-- Give up instead of queueing behind long transactions (a queued ALTER blocks every query behind it).',
    "SET lock_timeout = '5s';",
    'SET statement_timeout = 0;',
    '',
  );
  if (withFix.length === 0) lines.push('-- Nothing to fix.');

  const prerequisites = prerequisitesOf(withFix);
  if (prerequisites.length) {
    lines.push('-- ==== Shared setup: what several fixes below need, written once ====', '');
    for (const { prerequisite, users } of prerequisites) {
      const needed = users.some(runs);
      lines.push(commentLines(`${prerequisite.title} (needed by ${plural(users.length, 'fix', 'fixes')})`));
      lines.push(needed ? prerequisite.sql : commentedSql(prerequisite.sql), '');
    }
  }

  yield `${lines.join('\n')}\n`;

  // A note is said once in the whole script: at the top of the first section where several fixes share it.
  const said = new Set<string>();
  for (const [i, section] of parts.entries()) {
    const lines: string[] = [];
    const summary = summaries.get(section.ruleId);
    lines.push(commentLines(`==== ${i + 1}. ${section.ruleId}${summary ? `: ${summary}` : ''} ====`));
    const shared = sharedNotes(section);
    for (const note of shared) {
      if (!said.has(note)) lines.push(commentLines(`Note: ${note}`));
      said.add(note);
    }
    lines.push('');
    yield `${lines.join('\n')}\n`;
    for (const finding of section.findings) {
      const lines: string[] = [];
      const fix = finding.fix;
      const sql = fix.sql;
      lines.push(commentLines(fixHeading(finding)));
      for (const note of fix.notes.filter((n) => !shared.has(n) && !said.has(n))) {
        lines.push(commentLines(`Note: ${note}`));
        said.add(note);
      }
      switch (rendering.get(finding)) {
        case 'statement':
          lines.push(sql);
          break;
        case 'behaviour-comment':
          lines.push('-- BEHAVIOUR: not run at fix level safe (it changes what writes do); --fix-level behaviour writes it as statements.');
          lines.push(commentedSql(sql));
          break;
        case 'unsafe-text-comment':
          lines.push('-- NOT RUN: the generated SQL holds control characters; it is shown escaped for review.');
          lines.push(commentedSql(sql));
          break;
        default:
          lines.push('-- REVIEW: a plan to read and adapt, not to run as it stands.');
          lines.push(commentedSql(sql));
      }
      lines.push('');
      yield `${lines.join('\n')}\n`;
    }
  }
}

export function renderFixScript(findings: Finding[], meta: FixScriptMeta): string {
  return joined(fixScript(findings, meta));
}
