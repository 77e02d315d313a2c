/**
 * Rule documentation generated from the rules themselves: one page per rule (`docs/rules/<id>.md`) and the README's
 * rule table. `npm run docs` writes them; a test fails when they are stale, so the docs never drift from the code.
 */
import type { AnyRule } from '../engine/types.js';

/** Where the pages are published: SARIF `helpUri` points here (a custom rule may give its own `docs.url`). */
export const RULE_DOCS_BASE_URL = 'https://github.com/schema-lint/schema-lint/blob/main/docs/rules/';

function levelOf(rule: AnyRule): string {
  return rule.optIn ? `off (opt-in; ${rule.defaultSeverity} when on)` : rule.defaultSeverity;
}

/** A migration-safety rule (rules/migration) judges statements of changed migration files, not the finished schema. */
function migrationLock(rule: AnyRule): string | undefined {
  const { kind, lock } = rule as AnyRule & { kind?: string; lock?: string };
  return kind === 'migration' ? lock : undefined;
}

function modeOf(rule: AnyRule): string {
  if (migrationLock(rule) !== undefined) return 'changed migration files (`--changed-since REF`)';
  return (rule.mode ?? 'both') === 'both' ? 'DDL files and live databases' : 'live databases (or DDL with `--stats`)';
}

function fixOf(rule: AnyRule): string {
  if (migrationLock(rule) !== undefined) return 'review (a rewrite of the migration)';
  return rule.fixSafety?.length ? rule.fixSafety.join(', ') : 'none';
}

function sqlBlock(sql: string): string {
  return `\`\`\`sql\n${sql.trimEnd()}\n\`\`\``;
}

export function ruleDocPage(rule: AnyRule): string {
  const { docs } = rule;
  const lines = [
    `<!-- Generated from rules/ by \`npm run docs\`: edit the rule, not this page. -->`,
    `# ${rule.id}`,
    '',
    `**${docs.summary.trim()}**`,
    '',
    '| | |',
    '|---|---|',
    `| default level | ${levelOf(rule)} |`,
    `| mode | ${modeOf(rule)} |`,
    `| fix | ${fixOf(rule)} |`,
    ...(migrationLock(rule) === undefined ? [] : [`| lock | ${migrationLock(rule) ?? ''} |`]),
    `| tags | ${rule.tags.join(', ')} |`,
    '',
    '## Why',
    '',
    docs.description.trim(),
    '',
    '## Bad',
    '',
    ...docs.bad.flatMap((example) => [example.title, '', sqlBlock(example.sql), '']),
    '## Good',
    '',
    ...docs.good.flatMap((example) => [example.title, '', sqlBlock(example.sql), '']),
    '## Fix',
    '',
    docs.fix.trim() || 'No automatic fix.',
    '',
    '## Options',
    '',
  ];
  const defaults = rule.defaultOptions as Record<string, unknown>;
  if (Object.keys(defaults).length === 0) lines.push('None.', '');
  else {
    lines.push('Set them in `schema-lint.config.json`:', '', '```json', JSON.stringify({ rules: { [rule.id]: { options: defaults } } }, null, 2), '```', '');
  }
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

/** The README's rule table (between `<!-- rules-table:start -->` and `<!-- rules-table:end -->`). */
export function rulesTableMarkdown(rules: AnyRule[]): string {
  const rows = rules.map((rule) => {
    const level = rule.optIn ? `off (opt-in: ${rule.defaultSeverity})` : rule.defaultSeverity;
    const mode = migrationLock(rule) === undefined ? (rule.mode ?? 'both') : 'migrations';
    const summary = rule.docs.summary.trim().replace(/\|/g, '\\|');
    return `| [\`${rule.id}\`](docs/rules/${rule.id}.md) | ${level} | ${mode} | ${fixOf(rule)} | ${summary} |`;
  });
  return ['| rule | default | mode | fix | finds |', '|---|---|---|---|---|', ...rows].join('\n');
}

export const TABLE_START = '<!-- rules-table:start -->';
export const TABLE_END = '<!-- rules-table:end -->';

/** The README with its rule table replaced by the generated one. */
export function readmeWithRulesTable(readme: string, rules: AnyRule[]): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${TABLE_START} … ${TABLE_END} markers`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${rulesTableMarkdown(rules)}\n${readme.slice(end)}`;
}
