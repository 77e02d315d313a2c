/** `schema-lint rules` and `schema-lint explain <rule>`. */
import type { AnyRule } from '../engine/types.js';
import { UsageError } from './errors.js';

export function renderRulesTable(rules: AnyRule[], format: 'text' | 'json'): string {
  if (format === 'json') {
    const list = rules.map((rule) => ({
      id: rule.id,
      defaultSeverity: rule.defaultSeverity,
      summary: rule.docs.summary,
      tags: rule.tags,
      options: rule.defaultOptions,
    }));
    return `${JSON.stringify(list, null, 2)}\n`;
  }
  const width = Math.max(...rules.map((rule) => rule.id.length));
  const lines = rules.map((rule) => `${rule.id.padEnd(width)}  ${rule.defaultSeverity.padEnd(7)}  ${rule.docs.summary}`);
  return `${'rule'.padEnd(width)}  default  summary\n${lines.join('\n')}\n`;
}

export function renderExplain(rules: AnyRule[], id: string): string {
  const rule = rules.find((candidate) => candidate.id === id);
  if (!rule) throw new UsageError(`explain ${id}: unknown rule (see 'schema-lint rules')`);
  const { docs } = rule;
  const examples = (title: string, list: AnyRule['docs']['bad']): string[] =>
    list.flatMap((example) => [`${title}: ${example.title}`, ...example.sql.split('\n').map((line) => `    ${line}`), '']);
  return [
    `${rule.id} (default: ${rule.defaultSeverity})`,
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
