/** Every rule fixture in DDL mode: exactly the expected findings (rule, object key, line), nothing else. */
import { describe, expect, test } from '@jest/globals';
import { ddlModel, lintModel } from './support/lint.js';
import { fixtureRuleIds, loadFixtureCases } from './support/fixtures.js';
import { resolveRuleOptions } from '../src/engine/config.js';
import { allRules } from '../rules/index.js';

for (const ruleId of fixtureRuleIds()) {
  describe(`${ruleId} fixtures (DDL mode)`, () => {
    for (const fixture of loadFixtureCases(ruleId)) {
      test(fixture.name, async () => {
        const { model, diagnostics } = await ddlModel(fixture.files);
        expect(diagnostics.filter((d) => d.kind === 'syntax')).toEqual([]);
        const findings = lintModel(model, {
          rules: [ruleId],
          ruleOptions: fixture.options ? { [ruleId]: fixture.options } : undefined,
          now: fixture.now,
        });
        const actual = findings.map((f) => ({ key: f.key, file: f.origin.kind === 'file' ? f.origin.file : '', line: f.origin.kind === 'file' ? f.origin.line : 0 }));
        expect(actual.sort((a, b) => a.key.localeCompare(b.key))).toEqual([...fixture.expected].sort((a, b) => a.key.localeCompare(b.key)));
      });
    }
  });
}

describe('rule defaults', () => {
  // The engine validates only options a user gives; the rules' own defaults must therefore be valid.
  test.each(allRules.map((rule) => [rule.id, rule] as const))('%s: default options satisfy the options schema', (_id, rule) => {
    expect(() => resolveRuleOptions(rule, {}, 'defaults')).not.toThrow();
  });
});
