/**
 * The rule pages (docs/rules/<id>.md) and the README's rule table are generated from the rules: this fails when
 * they are stale (run `npm run docs`), and checks every built-in rule links to its page from SARIF.
 */
import { describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { allRules } from '../rules/index.js';
import { readmeWithRulesTable, ruleDocPage, RULE_DOCS_BASE_URL } from '../src/report/rule-docs.js';
import { sarifRule } from '../src/report/sarif-rules.js';
import { repoRoot } from './support/fixtures.js';

describe('generated docs are current (npm run docs)', () => {
  test('every rule has its page, and no page is left for a rule that is gone', () => {
    const pages = readdirSync(path.join(repoRoot, 'docs/rules')).filter((f) => f.endsWith('.md')).sort();
    expect(pages).toEqual(allRules.map((rule) => `${rule.id}.md`).sort());
  });

  test.each(allRules.map((rule) => [rule.id, rule] as const))('docs/rules/%s.md', (id, rule) => {
    const file = path.join(repoRoot, 'docs/rules', `${id}.md`);
    expect(existsSync(file) && readFileSync(file, 'utf8')).toBe(ruleDocPage(rule));
  });

  test('the README rule table', () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    expect(readme).toBe(readmeWithRulesTable(readme, allRules));
    for (const rule of allRules) expect(readme).toContain(`[\`${rule.id}\`](docs/rules/${rule.id}.md)`);
  });

  test('SARIF rules link to their page', () => {
    for (const rule of allRules) expect(sarifRule(rule).helpUri).toBe(`${RULE_DOCS_BASE_URL}${rule.id}.md`);
  });
});
