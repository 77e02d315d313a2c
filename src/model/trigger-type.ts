import type { Trigger, TriggerEvent } from './types.js';

// pg_trigger.tgtype bits (src/include/catalog/pg_trigger.h); CREATE TRIGGER's parse tree uses the same bits.
export const TRIGGER_ROW = 1 << 0;
export const TRIGGER_BEFORE = 1 << 1;
export const TRIGGER_INSERT = 1 << 2;
export const TRIGGER_DELETE = 1 << 3;
export const TRIGGER_UPDATE = 1 << 4;
export const TRIGGER_TRUNCATE = 1 << 5;
export const TRIGGER_INSTEAD = 1 << 6;

/** Timing, events and level from a `tgtype` value. */
export function decodeTriggerType(type: number): Pick<Trigger, 'timing' | 'events' | 'level'> {
  const timing = type & TRIGGER_INSTEAD ? 'instead of' : type & TRIGGER_BEFORE ? 'before' : 'after';
  const events: TriggerEvent[] = [];
  if (type & TRIGGER_INSERT) events.push('insert');
  if (type & TRIGGER_UPDATE) events.push('update');
  if (type & TRIGGER_DELETE) events.push('delete');
  if (type & TRIGGER_TRUNCATE) events.push('truncate');
  return { timing, events, level: type & TRIGGER_ROW ? 'row' : 'statement' };
}
