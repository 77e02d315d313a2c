/**
 * jest's test order: the slowest files first, so no worker is left alone with a long file at the end of the run.
 * jest does that itself from the durations it cached on earlier runs; on a fresh machine (CI) it knows none and
 * orders by file size, which puts the small files that drive PostgreSQL for minutes last. Those go first there.
 */
import DefaultSequencer from '@jest/test-sequencer';

/**
 * The slowest files, slowest first (measured on a fresh run, 2026-12-01 22:30: 26, 25, 18, 17, 16, 9, 9, 9, 9, 8, 8,
 * 8, 7, 7, 6 s). The medium ones are listed too: ordered by size they started in the last 20 s of the run.
 */
const SLOW_FIRST = [
  'test/cli.test.ts',
  'test/agreement.test.ts',
  'test/fix-acceptance.test.ts',
  // Once kept for the end, when its churn test lost its race with busy workers; the test now allows the reader
  // enough attempts, and a 17 s file at the end left the other worker idle.
  'test/live-hardening.test.ts',
  'test/fix-roundtrip.test.ts',
  'test/package.test.ts',
  'test/sarif.test.ts',
  'test/changed-since.test.ts',
  'test/deep-trees.test.ts',
  'test/io-contract.test.ts',
  'test/fuzz.test.ts',
  'test/markdown.test.ts',
  'test/parse-cache.test.ts',
  'test/migration-rules.test.ts',
  'test/baseline.test.ts',
];

const rank = (path) => SLOW_FIRST.findIndex((file) => path.endsWith(file));

export default class SlowFirstSequencer extends (DefaultSequencer.default ?? DefaultSequencer) {
  sort(tests) {
    const sorted = super.sort(tests);
    if (sorted.some((test) => test.duration != null)) return sorted;
    const slow = sorted.filter((test) => rank(test.path) >= 0).sort((a, b) => rank(a.path) - rank(b.path));
    return [...slow, ...sorted.filter((test) => rank(test.path) < 0)];
  }
}
