import type { FindingObject } from './types.js';

/** `ruleId/schema.table[.column][/detail]`: no line numbers, so it survives edits above the object. */
export function findingKey(ruleId: string, object: FindingObject): string {
  if (object.kind === 'schema') return `${ruleId}/${object.schema}`;
  let key = `${ruleId}/${object.schema}.${object.name}`;
  if (object.column) key += `.${object.column}`;
  if (object.detail) key += `/${object.detail}`;
  return key;
}

/** Qualified display name of a finding's object (`public.orders.customer_id`). */
export function objectDisplayName(object: FindingObject): string {
  if (object.kind === 'schema') return `schema ${object.schema}`;
  return `${object.schema}.${object.name}${object.column ? `.${object.column}` : ''}`;
}
