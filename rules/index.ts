/** Every rule schema-lint ships, in the order `schema-lint rules` lists them. */
import type { AnyRule } from '../src/engine/types.js';
import { RULE_DOCS_BASE_URL } from '../src/report/rule-docs.js';
import { foreignKeyWithoutIndex } from './foreign-key-without-index.js';
import { highVolumeTableNotPartitioned } from './high-volume-table-not-partitioned.js';
import { jsonbWithoutGinIndex } from './jsonb-without-gin-index.js';
import { jsonbWithoutValidation } from './jsonb-without-validation.js';
import { missingAuditTrigger } from './missing-audit-trigger.js';
import { partitionCoverage } from './partition-coverage.js';
import { duplicateIndex } from './duplicate-index.js';
import { redundantIndex } from './redundant-index.js';
import { tableWithoutPrimaryKey } from './table-without-primary-key.js';
import { foreignKeyTypeMismatch } from './foreign-key-type-mismatch.js';
import { jsonInsteadOfJsonb } from './json-instead-of-jsonb.js';
import { timestampWithoutTimeZone } from './timestamp-without-time-zone.js';
import { jsonbStorageDisablesCompression } from './jsonb-storage-disables-compression.js';
import { notValidConstraint } from './not-valid-constraint.js';
import { triggerFunctionUsesNewOnDelete } from './trigger-function-uses-new-on-delete.js';
import { materializedViewWithoutUniqueIndex } from './materialized-view-without-unique-index.js';
import { invalidIndex } from './invalid-index.js';
import { int4PrimaryKey } from './int4-primary-key.js';
import { highChurnTableDefaultAutovacuum } from './high-churn-table-default-autovacuum.js';
import { timeSeriesWithoutBrinIndex } from './time-series-without-brin-index.js';
import { randomUuidPrimaryKeyOnHighVolume } from './random-uuid-primary-key-on-high-volume.js';
import { migrationRules } from './migration/index.js';

export const allRules: AnyRule[] = [
  foreignKeyWithoutIndex,
  highVolumeTableNotPartitioned,
  jsonbWithoutGinIndex,
  jsonbWithoutValidation,
  missingAuditTrigger,
  partitionCoverage,
  // Wave 2 (RULES.md), most valuable first.
  duplicateIndex,
  redundantIndex,
  tableWithoutPrimaryKey,
  foreignKeyTypeMismatch,
  jsonInsteadOfJsonb,
  timestampWithoutTimeZone,
  materializedViewWithoutUniqueIndex,
  invalidIndex,
  notValidConstraint,
  int4PrimaryKey,
  triggerFunctionUsesNewOnDelete,
  timeSeriesWithoutBrinIndex,
  jsonbStorageDisablesCompression,
  randomUuidPrimaryKeyOnHighVolume,
  highChurnTableDefaultAutovacuum,
  // Migration-safety rules judge the statements of changed migrations (--changed-since), not the finished model.
  ...migrationRules,
];

// Each built-in rule's page is generated into docs/rules/ (npm run docs); SARIF links to it.
for (const rule of allRules) rule.docs.url ??= `${RULE_DOCS_BASE_URL}${rule.id}.md`;
