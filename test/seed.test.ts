/**
 * The DBA review the project grew from (fixtures/seed/dba-review.sql, a copy of shared/seed): its snippets are out
 * of order (indexes and triggers come before the CREATE TABLE they belong to), so DDL mode applies those statements
 * after the rest of the input. The findings must be what the review itself says is still missing.
 */
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ddlModel, lintModel } from './support/lint.js';
import { repoRoot } from './support/fixtures.js';
import { allRules } from '../rules/index.js';

const seedFile = path.join(repoRoot, 'fixtures/seed/dba-review.sql');

describe('the seed DBA review', () => {
  test('findings match the gaps the review names', async () => {
    const { model, diagnostics } = await ddlModel([{ file: 'fixtures/seed/dba-review.sql', text: readFileSync(seedFile, 'utf8') }]);
    expect(diagnostics.filter((d) => d.kind === 'syntax')).toEqual([]);
    // Every rule, the opt-in ones included (timestamp-without-time-zone is a house style, off by default).
    const keys = lintModel(model, { now: new Date('2026-11-29T00:00:00Z'), rules: allRules.map((rule) => rule.id) }).map((f) => `${f.severity} ${f.key}`).sort();
    expect(keys).toEqual(
      [
        // "Only 3 months of partitions pre-created": none at all; mcp.create_monthly_partitions() makes them at run time (a note).
        'note partition-coverage/mcp.query_metrics',
        'note partition-coverage/mcp.tool_executions',
        // JSONB with neither GIN nor CHECK (input/output data, the API spec, the health-check config). A GIN index
        // depends on queries the schema does not show: notes, until statistics or the option tables say otherwise.
        'note jsonb-without-gin-index/mcp.tool_executions.input_data',
        'note jsonb-without-gin-index/mcp.tool_executions.output_data',
        'note jsonb-without-gin-index/mcp.tool_executions_archive.input_data',
        'note jsonb-without-gin-index/mcp.tool_executions_archive.output_data',
        'note jsonb-without-gin-index/mcp.tool_configurations.api_spec',
        'note jsonb-without-gin-index/mcp.tool_configurations.health_check_config',
        'warning jsonb-without-validation/mcp.tool_executions.input_data',
        'warning jsonb-without-validation/mcp.tool_executions.output_data',
        'warning jsonb-without-validation/mcp.tool_executions_archive.input_data',
        'warning jsonb-without-validation/mcp.tool_executions_archive.output_data',
        'warning jsonb-without-validation/mcp.tool_configurations.api_spec',
        'warning jsonb-without-validation/mcp.tool_configurations.health_check_config',
        // … and discovered_endpoints, which gets a GIN index but no CHECK; auth_config has both.
        'warning jsonb-without-validation/mcp.tool_configurations.discovered_endpoints',
        // Only tool_configurations gets the audit trigger: the schema audits some tables, so the others are findings.
        'warning missing-audit-trigger/mcp.query_metrics',
        'warning missing-audit-trigger/mcp.tool_executions',
        'warning missing-audit-trigger/mcp.tool_executions_archive',
        // Wave 2. "Consider JSONB compression for large specs": SET STORAGE EXTERNAL turns compression off instead.
        'warning jsonb-storage-disables-compression/mcp.tool_configurations.api_spec',
        // The review's own audit function reads NEW on DELETE (where NEW is NULL).
        'warning trigger-function-uses-new-on-delete/mcp.tool_configurations/audit_tool_config_changes',
        // "Monitoring tables MUST be partitioned" (high-volume by shape): their keys are uuid_generate_v4().
        'note random-uuid-primary-key-on-high-volume/mcp.tool_executions.id',
        'note random-uuid-primary-key-on-high-volume/mcp.query_metrics.id',
        // The first versions of the tables use TIMESTAMP; the review's "optimized" ones switch to WITH TIME ZONE.
        'note timestamp-without-time-zone/mcp.tool_executions.executed_at',
        'note timestamp-without-time-zone/mcp.tool_executions.retain_until',
        'note timestamp-without-time-zone/mcp.tool_executions_archive.executed_at',
        'note timestamp-without-time-zone/mcp.tool_executions_archive.retain_until',
        'note timestamp-without-time-zone/mcp.query_metrics.timestamp',
        'note timestamp-without-time-zone/mcp.tool_configurations.last_health_check',
        // Not found, because the review already does it: BRIN indexes on the time columns (time-series-without-brin-index),
        // a unique index on the materialized view it refreshes CONCURRENTLY (materialized-view-without-unique-index).
      ].sort(),
    );
  });

  test('without the BRIN indexes and the unique index the review adds, the wave 2 rules name those gaps', async () => {
    const without = [
      'DROP INDEX mcp.idx_tool_executions_executed_at_brin;',
      'DROP INDEX mcp.idx_query_metrics_timestamp_brin;',
      'DROP INDEX mcp.idx_tool_execution_stats_unique;',
    ].join('\n');
    const { model } = await ddlModel([
      { file: 'fixtures/seed/dba-review.sql', text: readFileSync(seedFile, 'utf8') },
      { file: 'without.sql', text: without },
    ]);
    const keys = lintModel(model, { now: new Date('2026-11-29T00:00:00Z'), rules: ['time-series-without-brin-index', 'materialized-view-without-unique-index'] })
      .map((f) => `${f.severity} ${f.key}`)
      .sort();
    expect(keys).toEqual([
      // refresh_tool_stats() refreshes it CONCURRENTLY: that call would fail.
      'error materialized-view-without-unique-index/mcp.tool_execution_stats',
      'note time-series-without-brin-index/mcp.query_metrics.timestamp',
      'note time-series-without-brin-index/mcp.tool_executions.executed_at',
    ]);
  });

  test('statements that come before their table are applied after the rest, and say so', async () => {
    const { model, diagnostics } = await ddlModel([{ file: 'seed.sql', text: readFileSync(seedFile, 'utf8') }]);
    expect(model.indexes.has('mcp.idx_tool_configurations_auth')).toBe(true);
    expect(model.tables.get('mcp.tool_configurations')!.triggers.map((t) => t.name)).toEqual(['audit_tool_config_changes']);
    const deferred = diagnostics.filter((d) => d.message.includes('applied after the rest of the input'));
    expect(deferred.map((d) => d.line)).toContain(58);
  });
});
