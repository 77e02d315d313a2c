/**
 * Expressions printed by pg_get_expr, parsed once per distinct text within one model build. A large catalog repeats
 * the same few texts thousands of times (`now()`, `0`, `false`, a partition CHECK on every partition), and each
 * parse is a round trip into the WebAssembly parser plus a tree walk: at 10,000 tables that was most of the model
 * build. Each call still gets its own Expression object and its own `columns` array (the model's owners may keep
 * and replace those); only the parse tree, which nothing changes after parsing, is shared.
 */
import type { Expression } from '../../model/types.js';
import { parseExpressionText } from '../../sql/expression.js';

export type ExpressionParser = (text: string) => Expression;

export function expressionParser(): ExpressionParser {
  const parsed = new Map<string, { ast: unknown; columns: string[] } | undefined>();
  return (text) => {
    let entry = parsed.get(text);
    if (entry === undefined && !parsed.has(text)) {
      const expression = parseExpressionText(text);
      // pg_get_expr output always parses; should a future version print something the parser refuses, keep the text.
      entry = expression ? { ast: expression.ast, columns: expression.columns } : undefined;
      parsed.set(text, entry);
    }
    return entry ? { ast: entry.ast, columns: [...entry.columns], text } : { text, ast: undefined, columns: [] };
  };
}
