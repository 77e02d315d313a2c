/** `schema-lint rules` and `schema-lint explain <rule>`. */
import type { AnyRule } from '../engine/types.js';
import { UsageError } from './errors.js';

/** `both`, `live`: where the rule can find something. */
const modeOf = (rule: AnyRule): string => rule.mode ?? 'both';
/** `safe`, `review`, `safe/review`, or `-` for a rule without a fix. */
const fixOf = (rule: AnyRule): string => (rule.fixSafety?.length ? rule.fixSafety.join('/') : '-');

export function renderRulesTable(rules: AnyRule[], format: 'text' | 'json'): string {
  if (format === 'json') {
    const list = rules.map((rule) => ({
      id: rule.id,
      defaultSeverity: rule.defaultSeverity,
      optIn: rule.optIn ?? false,
      mode: modeOf(rule),
      fix: rule.fixSafety ?? [],
      summary: rule.docs.summary,
      tags: rule.tags,
      options: rule.defaultOptions as unknown,
    }));
    return `${JSON.stringify(list, null, 2)}\n`;
  }
  const width = Math.max(...rules.map((rule) => rule.id.length));
  const fixWidth = Math.max(3, ...rules.map((rule) => fixOf(rule).length));
  const lines = rules.map(
    (rule) => `${rule.id.padEnd(width)}  ${modeOf(rule).padEnd(4)}  ${(rule.optIn ? `(${rule.defaultSeverity})` : rule.defaultSeverity).padEnd(9)}  ${fixOf(rule).padEnd(fixWidth)}  ${rule.docs.summary}`,
  );
  const legend = rules.some((rule) => rule.optIn) ? '\n(level): opt-in, off until the config or --rule turns it on.\n' : '';
  return `${'rule'.padEnd(width)}  mode  default    ${'fix'.padEnd(fixWidth)}  summary\n${lines.join('\n')}\n${legend}`;
}

export function renderExplain(rules: AnyRule[], id: string): string {
  const rule = rules.find((candidate) => candidate.id === id);
  if (!rule) throw new UsageError(`explain ${id}: unknown rule (see 'schema-lint rules')`);
  const { docs } = rule;
  const examples = (title: string, list: AnyRule['docs']['bad']): string[] =>
    list.flatMap((example) => [`${title}: ${example.title}`, ...example.sql.split('\n').map((line) => `    ${line}`), '']);
  return [
    `${rule.id} (default: ${rule.optIn ? `off; opt-in, then ${rule.defaultSeverity}` : rule.defaultSeverity})`,
    `Mode: ${modeOf(rule)}. Fix: ${fixOf(rule) === '-' ? 'none' : fixOf(rule)}.`,
    '',
    docs.summary,
    '',
    docs.description,
    '',
    ...examples('Bad', docs.bad),
    ...examples('Good', docs.good),
    `Fix: ${docs.fix}`,
    '',
    `Options (defaults): ${JSON.stringify(rule.defaultOptions)}`,
    '',
  ].join('\n');
}
