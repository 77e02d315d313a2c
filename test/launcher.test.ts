/**
 * bin/schema-lint.js runs the esbuild bundle (dist/bundle) when it is at least as new as tsc's output, and tsc's
 * dist/src otherwise: after `npx tsc` alone, a stale bundle must not run in place of the code just compiled.
 * Checked on a copy of bin/ and dist/ whose bundle is marked so that the two paths give different output.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { repoRoot } from './support/fixtures.js';

let copy: string;

beforeAll(() => {
  if (!existsSync(path.join(repoRoot, 'dist', 'bundle', 'schema-lint.js'))) throw new Error('dist/bundle is missing: run `npm run build`');
  copy = mkdtempSync(path.join(tmpdir(), 'schema-lint-launcher-'));
  cpSync(path.join(repoRoot, 'bin'), path.join(copy, 'bin'), { recursive: true });
  cpSync(path.join(repoRoot, 'dist'), path.join(copy, 'dist'), { recursive: true });
  cpSync(path.join(repoRoot, 'package.json'), path.join(copy, 'package.json'));
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(copy, 'node_modules'));
  // The bundle's tool name is changed in its copy: a run through the bundle says so in its JSON report.
  const bundle = path.join(copy, 'dist', 'bundle', 'schema-lint.js');
  const text = readFileSync(bundle, 'utf8');
  expect(text).toContain('name: "schema-lint"');
  writeFileSync(bundle, text.replace('name: "schema-lint"', 'name: "schema-lint (bundle)"'));
  writeFileSync(path.join(copy, 'one.sql'), 'CREATE TABLE t (id bigint PRIMARY KEY);\n');
});

afterAll(() => rmSync(copy, { recursive: true, force: true }));

function toolName(): string {
  const out = execFileSync(process.execPath, [path.join(copy, 'bin', 'schema-lint.js'), 'lint', 'one.sql', '--format', 'json', '--fail-on', 'never'], {
    cwd: copy,
    // The test's own environment (jest's copy holds the test cache folder, test/support/cache-home.ts), not the
    // worker's: a child given no env would write its parse cache to ~/.cache.
    env: { ...process.env },
    encoding: 'utf8',
  });
  return (JSON.parse(out) as { tool: { name: string } }).tool.name;
}

describe('launcher', () => {
  test('a bundle at least as new as tsc output is what runs', () => {
    const past = new Date(Date.now() - 60_000);
    utimesSync(path.join(copy, 'dist', 'src', 'cli', 'main.js'), past, past);
    expect(toolName()).toBe('schema-lint (bundle)');
  });

  test('tsc output newer than the bundle runs instead of it', () => {
    const future = new Date(Date.now() + 60_000);
    utimesSync(path.join(copy, 'dist', 'src', 'cli', 'main.js'), future, future);
    expect(toolName()).toBe('schema-lint');
  });
});
