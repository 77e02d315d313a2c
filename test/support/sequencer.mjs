/**
 * jest's test order: the slowest files first, so no worker is left alone with a long file at the end of the run.
 * jest does that itself from the durations it cached on earlier runs; on a fresh machine (CI) it knows none and
 * orders by file size, which puts the small files that drive PostgreSQL for minutes last. Those go first there.
 */
import DefaultSequencer from '@jest/test-sequencer';

/** The slowest files, slowest first (measured: see the commit that added this list). */
const SLOW_FIRST = [
  'test/agreement.test.ts',
  'test/fix-acceptance.test.ts',
  'test/cli.test.ts',
  'test/fix-roundtrip.test.ts',
  'test/changed-since.test.ts',
  'test/rules/missing-audit-trigger.test.ts',
  'test/fuzz.test.ts',
];

/**
 * Last, always: its churn test races a catalog reader (in the jest worker) against sessions that drop tables, and
 * the reader loses when the other workers take the CPU; at the end of the run they are done or finishing.
 */
const LAST = 'test/live-hardening.test.ts';

const rank = (path) => SLOW_FIRST.findIndex((file) => path.endsWith(file));

export default class SlowFirstSequencer extends (DefaultSequencer.default ?? DefaultSequencer) {
  sort(tests) {
    let sorted = super.sort(tests);
    if (!sorted.some((test) => test.duration != null)) {
      const slow = sorted.filter((test) => rank(test.path) >= 0).sort((a, b) => rank(a.path) - rank(b.path));
      sorted = [...slow, ...sorted.filter((test) => rank(test.path) < 0)];
    }
    return [...sorted.filter((test) => !test.path.endsWith(LAST)), ...sorted.filter((test) => test.path.endsWith(LAST))];
  }
}
