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

const seedFile = path.join(repoRoot, 'fixtures/seed/dba-review.sql');

describe('the seed DBA review', () => {
  test('findings match the gaps the review names', async () => {
    const { model, diagnostics } = await ddlModel([{ file: 'fixtures/seed/dba-review.sql', text: readFileSync(seedFile, 'utf8') }]);
    expect(diagnostics.filter((d) => d.kind === 'syntax')).toEqual([]);
    const keys = lintModel(model, { now: new Date('2026-11-29T00:00:00Z') }).map((f) => `${f.severity} ${f.key}`).sort();
    expect(keys).toEqual(
      [
        // "Only 3 months of partitions pre-created": none at all; mcp.create_monthly_partitions() makes them at run time (a note).
        'note partition-coverage/mcp.query_metrics',
        'note partition-coverage/mcp.tool_executions',
        // JSONB with neither GIN nor CHECK (input/output data, the API spec, the health-check config) …
        'warning jsonb-without-gin-index/mcp.tool_executions.input_data',
        'warning jsonb-without-gin-index/mcp.tool_executions.output_data',
        'warning jsonb-without-gin-index/mcp.tool_executions_archive.input_data',
        'warning jsonb-without-gin-index/mcp.tool_executions_archive.output_data',
        'warning jsonb-without-gin-index/mcp.tool_configurations.api_spec',
        'warning jsonb-without-gin-index/mcp.tool_configurations.health_check_config',
        'warning jsonb-without-validation/mcp.tool_executions.input_data',
        'warning jsonb-without-validation/mcp.tool_executions.output_data',
        'warning jsonb-without-validation/mcp.tool_executions_archive.input_data',
        'warning jsonb-without-validation/mcp.tool_executions_archive.output_data',
        'warning jsonb-without-validation/mcp.tool_configurations.api_spec',
        'warning jsonb-without-validation/mcp.tool_configurations.health_check_config',
        // … and discovered_endpoints, which gets a GIN index but no CHECK; auth_config has both.
        'warning jsonb-without-validation/mcp.tool_configurations.discovered_endpoints',
        // Only tool_configurations gets the audit trigger.
        'warning missing-audit-trigger/mcp.query_metrics',
        'warning missing-audit-trigger/mcp.tool_executions',
        'warning missing-audit-trigger/mcp.tool_executions_archive',
      ].sort(),
    );
  });

  test('statements that come before their table are applied after the rest, and say so', async () => {
    const { model, diagnostics } = await ddlModel([{ file: 'seed.sql', text: readFileSync(seedFile, 'utf8') }]);
    expect(model.indexes.has('mcp.idx_tool_configurations_auth')).toBe(true);
    expect(model.tables.get('mcp.tool_configurations')!.triggers.map((t) => t.name)).toEqual(['audit_tool_config_changes']);
    const deferred = diagnostics.filter((d) => d.message.includes('applied after the rest of the input'));
    expect(deferred.map((d) => d.line)).toContain(58);
  });
});
