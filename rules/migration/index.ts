/** The migration-safety rules, in the order `schema-lint rules` lists them. */
import { addColumnNotNullWithoutDefault } from './add-column-not-null-without-default.js';
import { columnTypeChangeRewrites } from './column-type-change-rewrites.js';
import { constraintWithoutNotValid } from './constraint-without-not-valid.js';
import { constraintWithoutUsingIndex } from './constraint-without-using-index.js';
import { dropColumn } from './drop-column.js';
import { dropIndexWithoutConcurrently } from './drop-index-without-concurrently.js';
import { indexWithoutConcurrently } from './index-without-concurrently.js';
import { missingLockTimeout } from './missing-lock-timeout.js';
import { renameColumn } from './rename-column.js';
import { renameTable } from './rename-table.js';
import { setNotNullWithoutCheck } from './set-not-null-without-check.js';
import { volatileDefaultRewrites } from './volatile-default-rewrites.js';
import type { MigrationRule } from './types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const migrationRules: MigrationRule<any>[] = [
  addColumnNotNullWithoutDefault,
  columnTypeChangeRewrites,
  constraintWithoutNotValid,
  constraintWithoutUsingIndex,
  dropColumn,
  dropIndexWithoutConcurrently,
  indexWithoutConcurrently,
  missingLockTimeout,
  renameColumn,
  renameTable,
  setNotNullWithoutCheck,
  volatileDefaultRewrites,
];
