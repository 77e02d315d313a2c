/**
 * libpg-query's parse trees, typed with `@pgsql/types` (generated from PostgreSQL 18's parse nodes, the version
 * libpg-query 18 parses). The generated `Node` is a union of one-key wrappers (`{ ColumnDef: … } | { Constraint: … }
 * | …`) that code can read only after narrowing with `in`. The DDL source and the rules read trees the way
 * PostgreSQL's own code does — "is this element a ColumnDef? then …" — so here a node is seen through every tag at
 * once: `node.ColumnDef` is the ColumnDef when that is the node's tag, else undefined. The view goes through the whole
 * tree (a ColumnDef's `constraints` are such nodes too); every field keeps its generated type and optionality.
 */
import type { Node } from '@pgsql/types';

type TagOf<N> = N extends unknown ? keyof N : never;

/** `CreateStmt`, `ColumnDef`, `String`, … — every tag a parse node can have. */
export type NodeTag = TagOf<Node>;

type Wrapped<K extends NodeTag> = Extract<Node, Record<K, unknown>>[K];

/** A generated type with every nested `Node` replaced by the all-tags view. */
type Viewed<T> = T extends Node
  ? PgNode
  : T extends readonly (infer E)[]
    ? Array<Viewed<E>>
    : T extends object
      ? { [P in keyof T]: Viewed<T[P]> }
      : T;

/** A parse node, e.g. `{ CreateStmt: {…} }`: read `node.CreateStmt?.relation`. */
export type PgNode = { [K in NodeTag]?: Viewed<Wrapped<K>> };

/** The body of a node with tag K (`PgNodeOf<'RangeVar'>` is what `node.RangeVar` holds). */
export type PgNodeOf<K extends NodeTag> = Viewed<Wrapped<K>>;

/**
 * The text of a `String` node, as in name lists (`names`, `fk_attrs`, `funcname`). The parser leaves `sval` out for
 * an empty string; PostgreSQL rejects empty identifiers, so a name list never has one.
 */
export function stringValue(node: PgNode): string {
  return node.String?.sval ?? '';
}

/** A node's tag and body together, discriminated by the tag: `switch (kind)` narrows `node` to that tag's body. */
export type TaggedNode = { [K in NodeTag]: { kind: K; node: PgNodeOf<K> } }[NodeTag];

/** `{ CreateStmt: {…} }` → `{ kind: 'CreateStmt', node: {…} }`; undefined for an empty object (a released tree). */
export function tagged(node: PgNode): TaggedNode | undefined {
  const kind = Object.keys(node)[0] as NodeTag | undefined;
  // A parse node has exactly one key, its tag, so the pair is the TaggedNode member of that tag.
  return kind === undefined ? undefined : ({ kind, node: node[kind] } as TaggedNode);
}

/**
 * A field the grammar always fills (a CreateStmt's relation, a RangeVar's relname): `@pgsql/types` marks every
 * field optional, so this states the parser's guarantee, and fails loudly as an internal error if it ever breaks.
 */
export function present<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`internal: the parse tree has no ${what}`);
  return value;
}
