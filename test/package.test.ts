/**
 * The package as a user gets it: the packed tarball installed into an empty project (npm registry for its
 * dependencies), `npx schema-lint` run there, and the Node API imported from a plain `.mjs` file with a custom rule,
 * passed in code and named in the config's `plugins`. The install must stay lean (no test-only server binaries).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './support/fixtures.js';
import { tempDir } from './support/run-cli.js';

const CUSTOM_RULE = `
export const tableNamedTodo = {
  id: 'acme/no-todo-tables',
  name: 'NoTodoTables',
  defaultSeverity: 'warning',
  precision: 'high',
  tags: ['naming'],
  docs: { summary: 'A table is named todo.', description: 'Placeholder names reach production.', bad: [], good: [], fix: 'Rename it.' },
  optionsSchema: { type: 'object', properties: {}, additionalProperties: false },
  defaultOptions: {},
  check(model) {
    return [...model.tables.values()]
      .filter((table) => table.name.includes('todo'))
      .map((table) => ({ title: table.schema + '.' + table.name + ': placeholder name', message: 'Table ' + table.name + ' has a placeholder name.', object: { kind: 'table', schema: table.schema, name: table.name }, origin: table.origin }));
  },
};
export const rules = [tableNamedTodo];
`;

/**
 * The test's environment, passed on explicitly: jest's process.env is a copy holding the test's parse cache folder
 * (test/support/cache-home.ts); a child given no env gets the worker's and would write to ~/.cache.
 */
const testEnv = (): NodeJS.ProcessEnv => ({ ...process.env });

const SCHEMA = 'CREATE TABLE todo_items (id bigint PRIMARY KEY, owner_id bigint REFERENCES todo_items (id));\n';

const APP = `
import { lint, renderText, renderSarif, renderFixScript, rules } from 'schema-lint';
import { tableNamedTodo } from './my-rules.mjs';
const report = await lint({ sql: ${JSON.stringify(SCHEMA)}, customRules: [tableNamedTodo], config: false, now: new Date('2026-12-01') });
const sarif = JSON.parse(renderSarif(report, { cwd: process.cwd() }).text);
console.log(JSON.stringify({
  keys: report.findings.map((f) => f.key).sort(),
  text: renderText(report),
  sarifRules: sarif.runs[0].tool.driver.rules.map((r) => r.id),
  script: renderFixScript(report).includes('CREATE INDEX CONCURRENTLY'),
  builtIn: rules.length,
}));
`;

describe('the packed package in an empty project', () => {
  let dir: string;
  let app: string;

  beforeAll(() => {
    dir = tempDir('schema-lint-package-');
    // dist/ is built by `npm test`; packing without scripts keeps it as built.
    const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', dir], { cwd: repoRoot, encoding: 'utf8' }).trim().split('\n').pop()!;
    app = path.join(dir, 'app');
    mkdirSync(app);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', type: 'module', private: true }));
    execFileSync('npm', ['install', path.join(dir, packed), '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { cwd: app, stdio: 'pipe', timeout: 240_000 });
    writeFileSync(path.join(app, 'schema.sql'), SCHEMA);
    writeFileSync(path.join(app, 'my-rules.mjs'), CUSTOM_RULE);
    writeFileSync(path.join(app, 'app.mjs'), APP);
  }, 300_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The command npm linked for the package's `bin`, which `npx schema-lint` runs. */
  const installedBin = (): string => path.join(app, 'node_modules', '.bin', 'schema-lint');

  test('installs under 30 MB, without test-only packages', () => {
    const du = execFileSync('du', ['-sk', path.join(app, 'node_modules')], { encoding: 'utf8' });
    const kib = Number(du.split('\t')[0]);
    expect(kib).toBeLessThan(30 * 1024);
    const installed = readdirSync(path.join(app, 'node_modules'));
    for (const devOnly of ['postgres-13', 'postgres-18', 'jest', 'typescript', '@microsoft']) expect(installed).not.toContain(devOnly);
  });

  test('npx schema-lint runs, with a custom rule named in the config', () => {
    writeFileSync(path.join(app, 'schema-lint.config.json'), JSON.stringify({ plugins: ['./my-rules.mjs'], rules: { 'acme/no-todo-tables': 'error' } }));
    try {
      const run = spawnSync('npx', ['--no-install', 'schema-lint', 'schema.sql', '--now', '2026-12-01', '--format', 'json'], { cwd: app, encoding: 'utf8', env: testEnv() });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(1);
      const keys = (JSON.parse(run.stdout) as { findings: Array<{ key: string; severity: string }> }).findings.map((f) => `${f.severity} ${f.key}`);
      expect(keys).toContain('error acme/no-todo-tables/public.todo_items');
      expect(keys).toContain('warning foreign-key-without-index/public.todo_items/todo_items_owner_id_fkey');
      // What npx ran, called directly from here on (each npx start is ~0.8 s of npm's own CPU).
      const rulesList = spawnSync(installedBin(), ['rules'], { cwd: app, encoding: 'utf8', env: testEnv() });
      expect(rulesList.status).toBe(0);
    } finally {
      rmSync(path.join(app, 'schema-lint.config.json'));
    }
  });

  test('a bad plugin is one line and exit 2', () => {
    writeFileSync(path.join(app, 'bad.mjs'), "export default { id: 'Bad Id', check: 1 };");
    writeFileSync(path.join(app, 'schema-lint.config.json'), JSON.stringify({ plugins: ['./bad.mjs'] }));
    try {
      const run = spawnSync(installedBin(), ['schema.sql'], { cwd: app, encoding: 'utf8', env: testEnv() });
      expect(run.status).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain('id must be kebab-case');
    } finally {
      rmSync(path.join(app, 'schema-lint.config.json'));
    }
  });

  test('the API imports from a plain .mjs file and runs a custom rule', () => {
    const out = JSON.parse(execFileSync('node', ['app.mjs'], { cwd: app, encoding: 'utf8' })) as {
      keys: string[];
      text: string;
      sarifRules: string[];
      script: boolean;
      builtIn: number;
    };
    expect(out.keys).toContain('acme/no-todo-tables/public.todo_items');
    expect(out.keys).toContain('foreign-key-without-index/public.todo_items/todo_items_owner_id_fkey');
    expect(out.text).toContain('public.todo_items: placeholder name  acme/no-todo-tables');
    expect(out.sarifRules).toContain('acme/no-todo-tables');
    expect(out.script).toBe(true);
    expect(out.builtIn).toBeGreaterThanOrEqual(6);
  });
});
