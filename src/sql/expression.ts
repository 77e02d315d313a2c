import type { Expression } from '../model/types.js';
import { loadDeparser, type Deparse } from '../shared/lazy-modules.js';
import { printOperatorChain } from './deparse-chain.js';
import { parseStatements } from './parser.js';
import { isStackOverflow, walkTree } from './walk-tree.js';

let deparseSync: Deparse | undefined;

/** The deparser costs ~20 ms to load and most runs never print an expression: load it on first use. */
function deparser(): Deparse {
  deparseSync ??= loadDeparser().deparseSync;
  return deparseSync;
}

function tryDeparse(ast: unknown): string | undefined {
  try {
    return deparser()(ast as never, { pretty: false });
  } catch (error) {
    // pgsql-deparser recurses per tree level: a deep operator chain is printed flat instead (each operand is shallow).
    if (isStackOverflow(error)) return printOperatorChain(ast, tryDeparse);
    return undefined;
  }
}

/** SQL text of a parse-tree node, on one line. */
export function deparseNode(ast: unknown): string {
  return tryDeparse(ast) ?? '<expression>';
}

/** Column names a parse tree references (`ColumnRef` nodes; the last field of a qualified reference). */
export function referencedColumns(ast: unknown): string[] {
  const found = new Set<string>();
  walkTree(ast, (record) => {
    const ref = record.ColumnRef as { fields?: Array<{ String?: { sval: string } }> } | undefined;
    if (!ref?.fields) return true;
    const name = ref.fields[ref.fields.length - 1]?.String?.sval;
    if (name !== undefined) found.add(name);
    return false;
  });
  return [...found];
}

/** An expression from a parse-tree node. Without `text`, the text is deparsed on first use (most are never shown). */
export function expressionFromNode(ast: unknown, text?: string): Expression {
  const expression = { ast, columns: referencedColumns(ast) } as Expression;
  let cached = text;
  Object.defineProperty(expression, 'text', {
    enumerable: true,
    get: () => (cached ??= deparseNode(ast)),
  });
  return expression;
}

/**
 * Parses an expression given as text (e.g. what `pg_get_expr` prints) into the same tree shape DDL mode sees.
 * Returns undefined when the text is not a valid expression.
 */
export function parseExpressionText(text: string): Expression | undefined {
  const parsed = parseStatements(`SELECT ${text}`);
  if (!parsed.ok || parsed.stmts.length !== 1) return undefined;
  const select = parsed.stmts[0].stmt.SelectStmt as { targetList?: Array<{ ResTarget: { val: unknown } }> } | undefined;
  const target = select?.targetList?.[0]?.ResTarget?.val;
  if (!target || select.targetList?.length !== 1) return undefined;
  return expressionFromNode(target, text);
}
