/**
 * A second connection that reads part of a big catalog in the same snapshot, pg_dump --jobs's way: the first
 * transaction exports its snapshot (`pg_export_snapshot()`), the second imports it (`SET TRANSACTION SNAPSHOT`) and
 * so sees exactly the same catalog. On a 10,080-table database the indexes and constraints queries are ~40 % of the
 * server's work of a read; on a second backend they run while the columns arrive, and the client waits ~0.4 s less
 * on the server (bench/README.md: where server and client share two cores, the client loses that to preemption).
 *
 * The helper only ever speeds a read up, never makes one fail that would have worked on one connection: until its
 * work has started, anything that goes wrong (no free connection slot, a pooler that sends it to another server, a
 * snapshot that cannot be imported) leaves the work to the first connection, and so does a helper still connecting
 * when the first connection is ready for the work. Once the work has started, its rows are in the model, so its
 * errors are the read's errors (a catalog changed meanwhile retries the whole read, as on one connection).
 */
import type pg from 'pg';
import { streamOf } from './connect.js';

export interface HelperStart {
  /** Opens a new connection with the first one's settings; `signal` aborts when the read no longer wants it. */
  open(signal: AbortSignal): Promise<pg.Client>;
  /** The first transaction's exported snapshot. */
  snapshot: string;
  /** The session settings of the first transaction (`SET LOCAL …; …`), run after the snapshot is imported. */
  settings: string;
  /** The work, on the helper's connection, in the imported snapshot. */
  work(client: pg.Client): Promise<void>;
}

export interface HelperConnection {
  /**
   * The work's outcome when the helper has started it; undefined when it has not (failed or still connecting): the
   * helper then never starts it and the caller does it itself.
   */
  claim(): Promise<void> | undefined;
  /** Closes the helper's connection (its transaction only read, so closing ends it). */
  close(): Promise<void>;
  /** True once the helper has started the work, false once it has given up: for tests, never waited on by a read. */
  readonly setUp: Promise<boolean>;
}

/** How long a helper's goodbye may take before its socket is closed without one. */
const CLOSE_GRACE_MS = 1_000;

/**
 * Closes a helper connection. pg's end() on an idle connection says goodbye and waits for the server to close the
 * socket, which a server that stopped answering never does; the helper's transaction only read, so after a moment
 * the socket is simply destroyed (the server then ends the session as for any dropped client).
 */
async function closeNow(client: pg.Client): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), CLOSE_GRACE_MS);
  });
  const ended = client.end().then(
    () => false,
    () => false,
  );
  const tooLate = await Promise.race([ended, late]);
  clearTimeout(timer);
  if (tooLate) streamOf(client)?.destroy();
}

/** What `pg_export_snapshot()` returns (`00000003-0000001B-1`): checked, since SET TRANSACTION SNAPSHOT takes no parameter. */
const SNAPSHOT_ID = /^[0-9A-F]+(-[0-9A-F]+)+$/i;

export function startHelper(start: HelperStart): HelperConnection {
  let state: 'connecting' | 'working' | 'gone' = 'connecting';
  let client: pg.Client | undefined;
  let work: Promise<void> | undefined;
  // A function, not a comparison TypeScript narrows: claim() and close() change the state across the awaits below.
  const wanted = () => state === 'connecting';
  // Aborted once the helper is given up while connecting: a connect to a slow server would otherwise keep the process
  // alive until its timeout after the read has finished without it.
  const abandon = new AbortController();
  const giveUp = () => {
    state = 'gone';
    abandon.abort();
  };
  if (!SNAPSHOT_ID.test(start.snapshot)) state = 'gone';
  const setup = async (): Promise<boolean> => {
    let opened: pg.Client;
    try {
      opened = await start.open(abandon.signal);
    } catch {
      state = 'gone';
      return false;
    }
    client = opened;
    try {
      if (!wanted()) throw new Error('not needed any more');
      await opened.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '${start.snapshot}'; ${start.settings}`);
      // The caller gave up waiting and did the work itself.
      if (!wanted()) throw new Error('not needed any more');
    } catch {
      state = 'gone';
      await closeNow(opened);
      return false;
    }
    state = 'working';
    work = start.work(opened);
    // Settled through claim(); until then a failure must not count as unhandled.
    work.catch(() => undefined);
    return true;
  };
  const setUp = state === 'connecting' ? setup() : Promise.resolve(false);
  return {
    setUp,
    claim() {
      if (state === 'working') return work;
      giveUp();
      return undefined;
    },
    async close() {
      // A connection still being opened is dropped, not waited for; one already open closes itself (setup sees `gone`).
      if (state !== 'working') giveUp();
      if (client) await closeNow(client);
    },
  };
}
