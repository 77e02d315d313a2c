/**
 * Every test file gets its own parse cache folder (XDG_CACHE_HOME, which the CLI's default cache folder follows), so
 * no test writes to the user's ~/.cache and no test sees another's entries; it is removed when the file's tests end.
 * CLI runners pass XDG_CACHE_HOME on to the processes they start (run-cli.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const home = mkdtempSync(path.join(tmpdir(), 'schema-lint-test-cache-'));
process.env.XDG_CACHE_HOME = home;
afterAll(() => rmSync(home, { recursive: true, force: true }));
