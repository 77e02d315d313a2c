/** Object patterns (`audit.*`, `*.audit_log`, `*_log`) in options and config: src/engine/patterns.ts. */
import { describe, expect, test } from '@jest/globals';
import { matchesAny, matchesObjectPattern } from '../src/engine/patterns.js';

describe('object patterns', () => {
  test('a pattern with a dot matches schema.name, one without matches the name in any schema, case-insensitively', () => {
    expect(matchesObjectPattern('audit.*', 'audit', 'log')).toBe(true);
    expect(matchesObjectPattern('audit.*', 'public', 'log')).toBe(false);
    expect(matchesObjectPattern('*_log', 'any', 'Change_LOG')).toBe(true);
    expect(matchesObjectPattern('*.audit_log', 'x', 'audit_logs')).toBe(false);
    expect(matchesObjectPattern('a.b', 'aXb', 'c')).toBe(false);
  });

  test('* and ? match line breaks too: a quoted name can hold them', () => {
    expect(matchesObjectPattern('*', 's', 'k\n\\! touch x #')).toBe(true);
    expect(matchesObjectPattern('*.*', 's\r\\! x', 'ev\u2028x')).toBe(true);
    expect(matchesObjectPattern('a?b', 's', 'a\rb')).toBe(true);
    expect(matchesAny(['other', '*.t*'], 's\nx', 't\r')).toBe(true);
  });
});
