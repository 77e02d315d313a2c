/**
 * The output layer (src/report/output-files.ts) on real files: every output written or none, no temporary file
 * left behind, devices written in place, symbolic links written through. The CLI-level cases (permissions as an
 * unprivileged user, a full disk, signals, closed pipes) are in io-contract.test.ts.
 */
import { describe, expect, test } from '@jest/globals';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OutputError, writeOutputs } from '../src/report/output-files.js';

function fresh(): string {
  return mkdtempSync(path.join(tmpdir(), 'output-files-'));
}

async function failure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(OutputError);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    expect(message).not.toMatch(/\.tmp\b/);
    return message;
  }
  throw new Error('expected the write to fail');
}

describe('writeOutputs', () => {
  test('replaces files whole, keeps their permission bits, leaves no temporary file', async () => {
    const dir = fresh();
    const report = path.join(dir, 'report.json');
    writeFileSync(report, 'old');
    chmodSync(report, 0o640);
    await writeOutputs([
      { option: '--output', file: report, content: 'new report' },
      { option: '--fix-sql', file: path.join(dir, 'fix.sql'), content: 'SELECT 1;\n' },
    ]);
    expect(readFileSync(report, 'utf8')).toBe('new report');
    expect(statSync(report).mode & 0o777).toBe(0o640);
    expect(readFileSync(path.join(dir, 'fix.sql'), 'utf8')).toBe('SELECT 1;\n');
    expect(readdirSync(dir).sort()).toEqual(['fix.sql', 'report.json']);
  });

  test('a later output that cannot be written: the earlier one is not replaced either, no temporary file anywhere', async () => {
    const dir = fresh();
    const report = path.join(dir, 'report.txt');
    writeFileSync(report, 'good results');
    const message = await failure(
      writeOutputs([
        { option: '--output', file: report, content: 'new' },
        { option: '--fix-sql', file: path.join(dir, 'missing', 'fix.sql'), content: 'x' },
      ]),
    );
    expect(message).toBe(`cannot write --fix-sql ${path.join(dir, 'missing', 'fix.sql')}: folder ${path.join(dir, 'missing')} does not exist; no output file written`);
    expect(readFileSync(report, 'utf8')).toBe('good results');
    expect(readdirSync(dir)).toEqual(['report.txt']);
  });

  test('a failure while writing (a full device after a staged file) removes the staged file', async () => {
    const dir = fresh();
    const report = path.join(dir, 'report.txt');
    writeFileSync(report, 'good results');
    const message = await failure(
      writeOutputs([
        { option: '--output', file: report, content: 'new' },
        { option: '--fix-sql', file: '/dev/full', content: 'x' },
      ]),
    );
    expect(message).toBe('cannot write --fix-sql /dev/full: no space left on device; no output file written');
    expect(readFileSync(report, 'utf8')).toBe('good results');
    expect(readdirSync(dir)).toEqual(['report.txt']);
  });

  test('-o naming a folder, or a path below a file: one line that says so', async () => {
    const dir = fresh();
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'plain'), '');
    expect(await failure(writeOutputs([{ option: '--output', file: path.join(dir, 'sub'), content: 'x' }]))).toMatch(/--output .*sub: is a folder; no output file written$/);
    expect(await failure(writeOutputs([{ option: '--output', file: path.join(dir, 'plain', 'r.txt'), content: 'x' }]))).toMatch(/plain is not a folder/);
    expect(readdirSync(dir).sort()).toEqual(['plain', 'sub']);
  });

  test('two options naming one file is an error, not a race', async () => {
    const dir = fresh();
    const file = path.join(dir, 'same.txt');
    const message = await failure(
      writeOutputs([
        { option: '--output', file, content: 'a' },
        { option: '--fix-sql', file: path.join(dir, '.', 'same.txt'), content: 'b' },
      ]),
    );
    expect(message).toMatch(/--output and --fix-sql name the same file/);
    expect(readdirSync(dir)).toEqual([]);
  });

  test('devices are written in place, never renamed over', async () => {
    await writeOutputs([{ option: '--output', file: '/dev/null', content: 'discarded' }]);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  test('a symbolic link is written through: its target gets the content, the link stays a link', async () => {
    const dir = fresh();
    mkdirSync(path.join(dir, 'artifacts'));
    writeFileSync(path.join(dir, 'artifacts', 'report.sarif'), 'old');
    symlinkSync('artifacts/report.sarif', path.join(dir, 'report.sarif'));
    // A dangling link: its target is created.
    symlinkSync('artifacts/fix.sql', path.join(dir, 'fix.sql'));
    await writeOutputs([
      { option: '--output', file: path.join(dir, 'report.sarif'), content: 'new' },
      { option: '--fix-sql', file: path.join(dir, 'fix.sql'), content: 'fix' },
    ]);
    expect(lstatSync(path.join(dir, 'report.sarif')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(dir, 'report.sarif'))).toBe('artifacts/report.sarif');
    expect(readFileSync(path.join(dir, 'artifacts', 'report.sarif'), 'utf8')).toBe('new');
    expect(lstatSync(path.join(dir, 'fix.sql')).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(dir, 'artifacts', 'fix.sql'), 'utf8')).toBe('fix');
    expect(readdirSync(path.join(dir, 'artifacts')).sort()).toEqual(['fix.sql', 'report.sarif']);
  });

  test('a symbolic link loop is one line, nothing written', async () => {
    const dir = fresh();
    symlinkSync('b', path.join(dir, 'a'));
    symlinkSync('a', path.join(dir, 'b'));
    expect(await failure(writeOutputs([{ option: '--output', file: path.join(dir, 'a'), content: 'x' }]))).toMatch(/too many levels of symbolic links/);
    expect(readdirSync(dir).sort()).toEqual(['a', 'b']);
  });

  test('a large output is written whole', async () => {
    const dir = fresh();
    const content = 'x'.repeat(5 * 1024 * 1024 + 17);
    await writeOutputs([{ option: '--output', file: path.join(dir, 'big.txt'), content }]);
    expect(statSync(path.join(dir, 'big.txt')).size).toBe(content.length);
    expect(readdirSync(dir)).toEqual(['big.txt']);
  });
});
