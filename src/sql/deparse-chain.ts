/**
 * Printing a left-deep chain of binary operators (`1 + 1 + … + 1`, `a || b || … || z`) without recursion.
 * pgsql-deparser recurses once per tree level and overflows the stack at about 2,000 levels; PostgreSQL itself accepts
 * several thousand (a 3,000-term column default loads). A chain is how such depth arises in real schemas (generated
 * sums, long concatenations), so it gets this flat printer; `printLeaf` prints each operand, which is shallow.
 */
import type { PgNode } from './pg-node.js';

/** Operands that need no parentheses next to any binary operator. */
const ATOMS = new Set(['A_Const', 'ColumnRef', 'FuncCall', 'ParamRef', 'TypeCast', 'SQLValueFunction', 'CoalesceExpr', 'A_ArrayExpr']);

/** Operators that share one precedence level in PostgreSQL's grammar (left-associative), so a run needs no parentheses. */
const SAME_LEVEL: Record<string, string> = { '+': 'add', '-': 'add', '*': 'mul', '/': 'mul', '%': 'mul' };

function operatorText(names: PgNode[]): string | undefined {
  const parts = names.map((name) => name.String?.sval);
  if (parts.some((part) => part === undefined)) return undefined;
  return parts.length === 1 ? parts[0] : `OPERATOR(${parts.join('.')})`;
}

function binaryOperator(node: PgNode | undefined): { op: string; left: PgNode; right: PgNode } | undefined {
  const expr = node?.A_Expr;
  if (!expr || expr.kind !== 'AEXPR_OP' || !expr.lexpr || !expr.rexpr) return undefined;
  const op = operatorText(expr.name ?? []);
  return op === undefined ? undefined : { op, left: expr.lexpr, right: expr.rexpr };
}

function level(op: string): string {
  return SAME_LEVEL[op] ?? op;
}

/**
 * The SQL text of a left-deep operator chain, or undefined when `node` is not one. A change of precedence level
 * along the chain gets parentheses around everything printed so far, so the text parses back to the same tree.
 */
export function printOperatorChain(node: unknown, printLeaf: (node: PgNode) => string | undefined): string | undefined {
  const spine: Array<{ op: string; right: PgNode }> = [];
  let current = node as PgNode;
  for (let step = binaryOperator(current); step; step = binaryOperator(current)) {
    spine.push({ op: step.op, right: step.right });
    current = step.left;
  }
  if (spine.length === 0) return undefined;
  const operand = (part: PgNode): string | undefined => {
    const text = printLeaf(part);
    if (text === undefined) return undefined;
    return ATOMS.has(Object.keys(part)[0]) ? text : `(${text})`;
  };
  const first = operand(current);
  if (first === undefined) return undefined;
  const pieces = [first];
  let previousLevel: string | undefined;
  let openParens = 0;
  for (let i = spine.length - 1; i >= 0; i--) {
    const { op, right } = spine[i];
    const text = operand(right);
    if (text === undefined) return undefined;
    if (previousLevel !== undefined && level(op) !== previousLevel) {
      pieces.push(')');
      openParens++;
    }
    previousLevel = level(op);
    pieces.push(` ${op} `, text);
  }
  return '('.repeat(openParens) + pieces.join('');
}
