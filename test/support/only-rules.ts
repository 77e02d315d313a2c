/**
 * Rule levels for the Node API (`lint({ rules })`) that run only the named rules: the in-process counterpart of
 * run-cli.ts's `onlyRules`, so a test about one rule stays exact as more rules are registered.
 */
import type { Severity } from '../../src/engine/types.js';
import { allRules } from '../../rules/index.js';

export function onlyRuleLevels(keep: string[]): Record<string, Severity | 'off'> {
  const levels: Record<string, Severity | 'off'> = {};
  for (const rule of allRules) {
    if (!keep.includes(rule.id)) levels[rule.id] = 'off';
    // An opt-in rule asked for by name runs at its default level.
    else if (rule.optIn) levels[rule.id] = rule.defaultSeverity;
  }
  return levels;
}
