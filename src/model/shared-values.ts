/**
 * One instance of each equal value a model holds many times. A schema dump repeats itself: on a generated 10 MB
 * dump, 38,543 expressions (defaults, checks, index keys, predicates) had 2,632 distinct shapes (`now()` alone
 * 10,780 times), and 113,885 columns used a few dozen types. Each expression kept its own parse tree (~800 bytes);
 * shared, they cost once. Model values are never changed in place once built (rules are pure, and the builder
 * replaces a column's type or default instead of editing it), which is what makes sharing safe.
 */
import type { Expression, TypeRef } from './types.js';

/**
 * Parse-tree positions differ between equal expressions and no reader of a model expression uses them: every
 * `"location":N` member is cut out of the tree's JSON (with one of its commas). In JSON text a `"` outside a string
 * is a delimiter and a member name is the only string followed by `:`, so the pattern matches exactly the members
 * named `location`. Cutting them from the text is several times faster than a `JSON.stringify` replacer function,
 * which the engine calls for every member of every tree.
 */
const LOCATION_MEMBER = /,"location":-?\d+|"location":-?\d+,?/g;

function withoutLocations(json: string): string {
  return json.includes('"location":') ? json.replace(LOCATION_MEMBER, '') : json;
}

/** Per model build: a pool that lives as long as the builder, never across runs. */
export class SharedValues {
  private readonly types = new Map<string, TypeRef>();
  private readonly expressions = new Map<string, Expression>();

  type(type: TypeRef): TypeRef {
    const key = `${type.schema}\u0000${type.name}\u0000${type.arrayDims}\u0000${type.modifiers.join(',')}`;
    const known = this.types.get(key);
    if (known) return known;
    this.types.set(key, type);
    return type;
  }

  /**
   * The expression of this parse tree: the one made earlier for an equal tree, or `make(ast)`. `text` given
   * explicitly is part of the identity (two spellings of one tree stay two expressions).
   */
  expression(ast: unknown, make: () => Expression, text?: string): Expression {
    let key: string;
    try {
      // No tree at all stringifies to undefined, not to a string.
      key = ast === undefined ? '' : withoutLocations(JSON.stringify(ast));
    } catch {
      // A tree too deep for JSON.stringify (thousands of nested terms) is rare: it keeps its own expression.
      return make();
    }
    if (text !== undefined) key = `${text}\u0000${key}`;
    const known = this.expressions.get(key);
    if (known) return known;
    const made = make();
    this.expressions.set(key, made);
    return made;
  }
}
