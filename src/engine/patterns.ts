/**
 * Object patterns in options and config (`audit.*`, `*.audit_log`, `*_log`). A pattern without a dot matches the
 * object name in any schema; `*` matches any run of characters, `?` one character.
 */
const cache = new Map<string, RegExp>();

function toRegExp(pattern: string): RegExp {
  let regex = cache.get(pattern);
  if (!regex) {
    const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    // 's': a name may hold line breaks (a quoted identifier can), and `*` must match them as any other character.
    regex = new RegExp(`^${escaped}$`, 'is');
    cache.set(pattern, regex);
  }
  return regex;
}

export function matchesObjectPattern(pattern: string, schema: string, name: string): boolean {
  if (!pattern.includes('.')) return toRegExp(pattern).test(name);
  return toRegExp(pattern).test(`${schema}.${name}`);
}

export function matchesAny(patterns: string[], schema: string, name: string): boolean {
  return patterns.some((pattern) => matchesObjectPattern(pattern, schema, name));
}
