/**
 * On a terminal the text report fits each finding line to the terminal's width. The launcher wraps stdout so that a
 * closed pipe ends the run quietly; that wrapper must still tell the report the terminal's width (it once did not,
 * and every line ran past a 100-column terminal).
 */
import { describe, expect, test } from '@jest/globals';
import { EventEmitter } from 'node:events';
import { main } from '../src/cli/main.js';
import { tolerateClosed } from '../src/cli/closed-stream.js';
import { loadParser } from '../src/sql/parser.js';
import path from 'node:path';
import { repoRoot } from './support/fixtures.js';

const seed = path.join(repoRoot, 'fixtures', 'seed', 'dba-review.sql');

/** A terminal-like stream: what the launcher hands to tolerateClosed. */
function fakeTerminal(columns: number): NodeJS.WritableStream & { isTTY: boolean; columns: number; text: string } {
  const stream = Object.assign(new EventEmitter(), {
    isTTY: true,
    columns,
    text: '',
    write(chunk: string) {
      stream.text += chunk;
      return true;
    },
  });
  return stream as unknown as NodeJS.WritableStream & { isTTY: boolean; columns: number; text: string };
}

describe('terminal width', () => {
  test('the closed-pipe wrapper passes the terminal width through, and follows a resize', () => {
    const terminal = fakeTerminal(100);
    const wrapped = tolerateClosed(terminal);
    expect(wrapped.isTTY).toBe(true);
    expect(wrapped.columns).toBe(100);
    terminal.columns = 72;
    expect(wrapped.columns).toBe(72);
  });

  test('through the wrapper, every finding line of a real schema fits 100 columns', async () => {
    await loadParser();
    const terminal = fakeTerminal(100);
    const code = await main([seed, '--now', '2026-12-01'], {
      cwd: process.cwd(),
      env: { NO_COLOR: '1' },
      stdout: tolerateClosed(terminal),
      stderr: { write: () => undefined },
    });
    expect(code).toBeLessThan(2);
    const findingLines = terminal.text.split('\n').filter((line) => /^\s+\d+:\d+\s/.test(line));
    expect(findingLines.length).toBeGreaterThan(5);
    for (const line of findingLines) expect(line.length).toBeLessThanOrEqual(100);
    // The same run without a terminal keeps whole lines: at least one is longer than 100 columns.
    let plain = '';
    await main([seed, '--now', '2026-12-01'], { cwd: process.cwd(), env: { NO_COLOR: '1' }, stdout: { write: (t: string) => void (plain += t) }, stderr: { write: () => undefined } });
    expect(plain.split('\n').some((line) => line.length > 100)).toBe(true);
  });
});
