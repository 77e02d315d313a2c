/**
 * `--changed-since REF`: what a pull request introduces, with the whole schema in view. The gap findings present now
 * and absent at REF (compared by finding key, so line moves do not count as new), plus the migration-safety findings
 * on the statements of the files changed since REF (each judged against the schema just before it).
 */
import path from 'node:path';
import type { Config } from './config.js';
import { checkMigrations } from './migration-safety.js';
import { compareFindings, runRules, type EnabledRule } from './run-rules.js';
import type { Finding } from './types.js';
import type { SchemaModel } from '../model/types.js';
import { buildModelFromSql } from '../sources/ddl/load-ddl.js';
import { runnableMigrationText, type MigrationLayout } from '../sources/ddl/migration-layout.js';
import { parseSqlFile, type ParsedFile } from '../sources/ddl/parse-file.js';
import { changedFiles, resolveRevision, sqlFilesAtRevision } from '../sources/git-tree.js';

export interface ChangedSinceInput {
  ref: string;
  paths: string[];
  cwd: string;
  layout?: MigrationLayout;
  rules: EnabledRule[];
  config: Config;
  now: Date;
  /** The working tree's model (statistics applied) and the findings of a whole run on it. */
  model: SchemaModel;
  files: ParsedFile[];
  findings: Finding[];
}

export interface ChangedSinceResult {
  findings: Finding[];
  /** Figures for the summary line and the tests. */
  baseFindings: number;
  changedFiles: string[];
  warnings: string[];
}

export function changedSinceFindings(input: ChangedSinceInput): ChangedSinceResult {
  const revision = resolveRevision(input.cwd, input.ref);
  const baseSources = sqlFilesAtRevision(revision, input.paths, input.cwd, input.layout).map((source) => ({
    file: source.file,
    text: runnableMigrationText(source.text, input.layout),
  }));
  const base = buildModelFromSql(baseSources).model;
  // The same volume figures for both models: a table does not turn "new" because only one side knew its size.
  for (const [key, table] of base.tables) table.stats ??= input.model.tables.get(key)?.stats;
  const baseKeys = new Set(runRules(base, input.rules, input.config, { now: input.now, live: false }).map((finding) => finding.key));
  const introduced = input.findings.filter((finding) => !baseKeys.has(finding.key));

  const changed = changedFiles(revision);
  const isChanged = (file: string): boolean => changed.has(path.resolve(input.cwd, file));
  const safety = checkMigrations({
    // The statements are replayed with their trees: DDL mode drops each group's trees once applied (memory follows
    // the model), so the files are parsed again here, whole.
    files: input.files.map((file) => parseSqlFile(file.file, file.source.text)),
    changed: isChanged,
    rules: input.rules,
    config: input.config,
    stats: (name) => input.model.tables.get(name)?.stats,
  });
  const byKey = new Map<string, Finding>();
  for (const finding of [...introduced, ...safety]) if (!byKey.has(finding.key)) byKey.set(finding.key, finding);
  return {
    findings: [...byKey.values()].sort(compareFindings),
    baseFindings: baseKeys.size,
    changedFiles: input.files.map((file) => file.file).filter(isChanged),
    warnings: revision.warning ? [revision.warning] : [],
  };
}
