/** A dotted name (`schema.table` or `table`) as the parser's RangeVar shape, for the builder's lookups. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Node = Record<string, any>;

export function rangeVarOf(parts: string[]): Node {
  return parts.length > 1 ? { schemaname: parts[parts.length - 2], relname: parts[parts.length - 1] } : { relname: parts[0] };
}
