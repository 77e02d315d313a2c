#!/usr/bin/env node
// `npm run new-rule <rule-id>`: scaffolds rules/<id>.ts and fixtures/<id>/{bad,good}.sql and registers the rule.
// Then: write the check, make the fixtures real, `npx jest test/rule-harness.test.ts -u`, review the snapshot,
// and `npm run docs`.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const id = process.argv[2];
if (!id || !/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(id)) {
  console.error('usage: npm run new-rule <rule-id>   (kebab-case, e.g. table-without-comment)');
  process.exit(2);
}
const camel = id.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
const pascal = camel[0].toUpperCase() + camel.slice(1);
const ruleFile = path.join(root, 'rules', `${id}.ts`);
if (existsSync(ruleFile)) {
  console.error(`rules/${id}.ts exists already`);
  process.exit(2);
}
writeFileSync(
  ruleFile,
  `/**
 * ${id}: TODO say what gap this finds and why a DBA cares.
 */
import { logicalTables } from '../src/model/model.js';
import type { Rule, RuleFinding } from '../src/engine/types.js';

export type ${pascal}Options = Record<string, never>;

export const ${camel}: Rule<${pascal}Options> = {
  id: '${id}',
  name: '${pascal}',
  defaultSeverity: 'warning',
  precision: 'high',
  tags: [],
  fixSafety: [],
  docs: {
    summary: 'TODO: one sentence, ending with a full stop.',
    description: 'TODO: why it matters, precisely enough that DDL and live mode agree.',
    bad: [{ title: 'TODO', sql: 'CREATE TABLE todo (id bigint);' }],
    good: [{ title: 'TODO', sql: 'CREATE TABLE todo (id bigint PRIMARY KEY);' }],
    fix: 'TODO: what the fix does, and its safety level.',
  },
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  defaultOptions: {},
  check(model) {
    const findings: RuleFinding[] = [];
    for (const table of logicalTables(model)) {
      void table; // TODO
    }
    return findings;
  },
};
`,
);
const fixtures = path.join(root, 'fixtures', id);
mkdirSync(fixtures, { recursive: true });
writeFileSync(path.join(fixtures, 'bad.sql'), `-- TODO: what is wrong here.\n-- expect: ${id}/public.todo @ 3:1\nCREATE TABLE todo (id bigint);\n`);
writeFileSync(path.join(fixtures, 'good.sql'), '-- TODO: the same, done right. No finding.\nCREATE TABLE todo (id bigint PRIMARY KEY);\n');
const index = path.join(root, 'rules', 'index.ts');
let text = readFileSync(index, 'utf8');
text = text.replace(/(\nexport const allRules: AnyRule\[\] = \[)/, `\nimport { ${camel} } from './${id}.js';$1`);
text = text.replace(/(\n {2}\.\.\.migrationRules,\n\];)/, `\n  ${camel},$1`);
writeFileSync(index, text);
console.log(`created rules/${id}.ts, fixtures/${id}/bad.sql and good.sql; registered in rules/index.ts`);
