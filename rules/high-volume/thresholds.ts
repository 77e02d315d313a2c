/**
 * The high-volume options every volume-based rule takes, with the same names and defaults, so a team sets its
 * figures the same way for each rule; detection itself is `strongestSignal` in signals.ts (one implementation).
 */
import type { HighVolumeThresholds, Signal } from './signals.js';

export const DEFAULT_HIGH_VOLUME_THRESHOLDS: HighVolumeThresholds = {
  minRows: 10_000_000,
  minBytes: 10 * 1024 ** 3,
  minInsertsPerDay: 1_000_000,
  tables: [],
  namePatterns: ['*_log', '*_logs', '*_events', '*_metrics', '*_executions', '*_history', '*_audit'],
};

/** JSON Schema properties of the thresholds, to spread into a rule's options schema. */
export const HIGH_VOLUME_OPTION_PROPERTIES = {
  minRows: { type: 'number', minimum: 0 },
  minBytes: { type: 'number', minimum: 0 },
  minInsertsPerDay: { type: 'number', minimum: 0 },
  tables: { type: 'array', items: { type: 'string' } },
  namePatterns: { type: 'array', items: { type: 'string' } },
} as const;

export const HIGH_VOLUME_OPTION_NAMES = ['minRows', 'minBytes', 'minInsertsPerDay', 'tables', 'namePatterns'];

/** Why the table counts as high-volume, as a clause: "it holds about 12,000,000 rows (minRows …)". */
export function describeHighVolumeSignal(signal: Signal): string {
  switch (signal.kind) {
    case 'stats':
      return `it holds ${signal.reasons.join(', ')}`;
    case 'config':
      return `the configuration lists it as high-volume (\`${signal.pattern}\`)`;
    case 'shape':
      return `its shape says append-only time series: the name matches \`${signal.pattern}\` and ${signal.column} defaults to the current time`;
  }
}
