/**
 * bin/schema-lint.js runs the esbuild bundle (dist/bundle) when it is at least as new as tsc's output, and tsc's
 * dist/src otherwise: after `npx tsc` alone, a stale bundle must not run in place of the code just compiled.
 * Checked on a copy of bin/ and dist/ whose bundle is marked so that the two paths give different output.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from './support/fixtures.js';

let copy: string;

beforeAll(() => {
  if (!existsSync(path.join(repoRoot, 'dist', 'bundle', 'schema-lint.cjs'))) throw new Error('dist/bundle is missing: run `npm run build`');
  copy = mkdtempSync(path.join(tmpdir(), 'schema-lint-launcher-'));
  cpSync(path.join(repoRoot, 'bin'), path.join(copy, 'bin'), { recursive: true });
  cpSync(path.join(repoRoot, 'dist'), path.join(copy, 'dist'), { recursive: true });
  cpSync(path.join(repoRoot, 'package.json'), path.join(copy, 'package.json'));
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(copy, 'node_modules'));
  // The bundle's tool name is changed in its copy: a run through the bundle says so in its JSON report.
  const bundle = path.join(copy, 'dist', 'bundle', 'schema-lint.cjs');
  const text = readFileSync(bundle, 'utf8');
  expect(text).toContain('name: "schema-lint"');
  writeFileSync(bundle, text.replaceAll('name: "schema-lint"', 'name: "schema-lint (bundle)"'));
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

/** bin/wasm-tiering.js: which runs skip V8's optimising tier for the parser's WebAssembly (Liftoff only). */
describe('WebAssembly tiering by input size', () => {
  type Tiering = { wasmFlags: (args: string[]) => string[]; inputBytes: (args: string[]) => number; TIER_UP_FROM_BYTES: number };
  let tiering: Tiering;
  let folder: string;

  beforeAll(async () => {
    tiering = (await import(pathToFileURL(path.join(repoRoot, 'bin', 'wasm-tiering.js')).href)) as Tiering;
    folder = mkdtempSync(path.join(tmpdir(), 'schema-lint-tiering-'));
    mkdirSync(path.join(folder, 'migrations', 'nested'), { recursive: true });
    writeFileSync(path.join(folder, 'small.sql'), 'CREATE TABLE t (id bigint);\n');
    writeFileSync(path.join(folder, 'migrations', '001.sql'), 'x'.repeat(1000));
    writeFileSync(path.join(folder, 'migrations', 'nested', '002.sql'), 'x'.repeat(2000));
    writeFileSync(path.join(folder, 'migrations', 'notes.txt'), 'x'.repeat(5000));
    // Not walked, as the run does not walk them (collect-files.ts).
    for (const skipped of ['.git', 'node_modules']) {
      mkdirSync(path.join(folder, 'migrations', skipped));
      writeFileSync(path.join(folder, 'migrations', skipped, 'other.sql'), 'x'.repeat(7000));
    }
    writeFileSync(path.join(folder, 'big.sql'), Buffer.alloc(tiering.TIER_UP_FROM_BYTES, 0x20));
  });

  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  test('a small file, a folder of small migrations and a live run compile Liftoff only', () => {
    expect(tiering.wasmFlags(['lint', path.join(folder, 'small.sql'), '--format', 'json'])).toEqual(['--liftoff-only']);
    expect(tiering.inputBytes([path.join(folder, 'migrations')])).toBe(3000); // .sql files only, nested ones too, not in .git or node_modules
    expect(tiering.wasmFlags([path.join(folder, 'migrations')])).toEqual(['--liftoff-only']);
    expect(tiering.wasmFlags(['lint', '--db', 'postgres://localhost/app'])).toEqual(['--liftoff-only']);
  });

  test('a big file, files adding up past the threshold, and stdin keep V8 default tiering', () => {
    expect(tiering.wasmFlags([path.join(folder, 'big.sql')])).toEqual([]);
    expect(tiering.wasmFlags(['-'])).toEqual([]);
    const almost = path.join(folder, 'almost.sql');
    writeFileSync(almost, Buffer.alloc(tiering.TIER_UP_FROM_BYTES - 2000, 0x20));
    expect(tiering.wasmFlags([almost])).toEqual(['--liftoff-only']);
    expect(tiering.wasmFlags([almost, path.join(folder, 'migrations')])).toEqual([]);
  });

  test('a missing path counts nothing and is left for the run to report', () => {
    expect(tiering.inputBytes([path.join(folder, 'missing.sql')])).toBe(0);
  });
});

/**
 * scripts/lazy-string-width.mjs: the bundle evaluates string-width (an Intl.Segmenter and an RGI_Emoji regular
 * expression per copy, ~25 ms) only when help text is laid out, not on every run. Counted by a child process that
 * wraps Intl.Segmenter before loading the bundle.
 */
describe('bundle start-up', () => {
  const segmenters = (args: string[]): { count: number; stdout: string } => {
    const probe = [
      'let count = 0;',
      'const Real = Intl.Segmenter;',
      'Intl.Segmenter = class extends Real { constructor(...a) { super(...a); count++; } };',
      "const { createRequire } = await import('node:module');",
      `const { runProcess } = createRequire(import.meta.url)(${JSON.stringify(path.join(repoRoot, 'dist', 'bundle', 'schema-lint.cjs'))});`,
      `process.argv = [process.argv[0], 'schema-lint', ...${JSON.stringify(args)}];`,
      'await runProcess();',
      "process.stderr.write(`segmenters=${count}\\n`);",
    ].join('\n');
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', probe], { cwd: copy, env: { ...process.env }, encoding: 'utf8' });
    const match = /segmenters=(\d+)/.exec(result.stderr);
    if (!match) throw new Error(`the probe did not finish: ${result.stderr}`);
    return { count: Number(match[1]), stdout: result.stdout };
  };

  test('a lint run never evaluates string-width; --help still lays its text out with it', () => {
    expect(segmenters(['one.sql', '--format', 'json', '--fail-on', 'never']).count).toBe(0);
    const help = segmenters(['--help']);
    expect(help.count).toBeGreaterThan(0);
    expect(help.stdout).toMatch(/--fix-sql/);
  });
});
