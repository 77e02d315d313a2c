/** Every rule schema-lint ships, in the order `schema-lint rules` lists them. */
import type { AnyRule } from '../src/engine/types.js';
import { foreignKeyWithoutIndex } from './foreign-key-without-index.js';

export const allRules: AnyRule[] = [foreignKeyWithoutIndex];

export function findRule(id: string): AnyRule | undefined {
  return allRules.find((rule) => rule.id === id);
}
