/**
 * Walking parse trees without recursion. PostgreSQL accepts expressions thousands of levels deep (a column default
 * of 3,000 `1 + 1 + …` terms loads with the default max_stack_depth), and a recursive walk of such a tree overflows
 * the JavaScript stack long before the parser's own limit, so every walk over a parse tree goes through here.
 */

/**
 * Visits every object of a JSON-like tree (arrays are looked through, not visited) in pre-order, in the order a
 * recursive walk over `Object.values` would take. `visit` returns false to skip the node's children.
 */
export function walkTree(root: unknown, visit: (node: Record<string, unknown>) => unknown): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const item = stack.pop();
    if (!item || typeof item !== 'object') continue;
    if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push(item[i]);
      continue;
    }
    const record = item as Record<string, unknown>;
    if (visit(record) === false) continue;
    const values = Object.values(record);
    for (let i = values.length - 1; i >= 0; i--) {
      const value = values[i];
      if (value && typeof value === 'object') stack.push(value);
    }
  }
}

/** True for the error a too-deep recursion throws (V8's RangeError, possibly wrapped by a library that caught it). */
export function isStackOverflow(error: unknown): boolean {
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' && /Maximum call stack size exceeded|stack depth limit exceeded|too much recursion/i.test(message);
}
