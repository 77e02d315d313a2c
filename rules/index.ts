/** Every rule schema-lint ships, in the order `schema-lint rules` lists them. */
import type { AnyRule } from '../src/engine/types.js';
import { foreignKeyWithoutIndex } from './foreign-key-without-index.js';
import { highVolumeTableNotPartitioned } from './high-volume-table-not-partitioned.js';
import { jsonbWithoutGinIndex } from './jsonb-without-gin-index.js';
import { jsonbWithoutValidation } from './jsonb-without-validation.js';
import { missingAuditTrigger } from './missing-audit-trigger.js';
import { partitionCoverage } from './partition-coverage.js';
import { migrationRules } from './migration/index.js';

export const allRules: AnyRule[] = [
  foreignKeyWithoutIndex,
  highVolumeTableNotPartitioned,
  jsonbWithoutGinIndex,
  jsonbWithoutValidation,
  missingAuditTrigger,
  partitionCoverage,
  // Migration-safety rules judge the statements of changed migrations (--changed-since), not the finished model.
  ...migrationRules,
];
