/**
 * Strict checks of argument values yargs cannot express. A value that is almost right (`--now 2025-1-1`,
 * `--db mysql://…`) is an error rather than a guess: a CI job that silently lints against 2000-01-01 or ignores the
 * database it was given reports wrong results with exit 0. Every failure is one UsageError line (exit code 2).
 */
import { UsageError } from './errors.js';

/**
 * `YYYY-MM-DD`, or an ISO 8601 date-time: `YYYY-MM-DDTHH:MM[:SS[.fraction]]` with `Z` or an offset `±HH:MM`
 * (`±HHMM`, `±HH`). A date-time without an offset is UTC, so a CI run does not depend on the runner's time zone.
 */
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-](\d{2})(?::?(\d{2}))?)?)?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function parseNow(value: string | undefined): Date {
  if (value === undefined) return new Date();
  const bad = (): UsageError => new UsageError(`--now ${value}: not a date (use YYYY-MM-DD or an ISO 8601 date-time such as 2025-06-01T12:00:00Z)`);
  const match = ISO_8601.exec(value);
  if (!match) throw bad();
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone = 'Z', zoneHours = '00', zoneMinutes = '00'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  // Date would roll 2025-02-30 over to March 2 and 24:00 to the next day: a time that does not exist is an error.
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) throw bad();
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59 || Number(zoneHours) > 23 || Number(zoneMinutes) > 59) throw bad();
  const offsetMinutes = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zoneHours) * 60 + Number(zoneMinutes));
  // setUTCFullYear, unlike Date.UTC, keeps years 0–99 as they are.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(Number(h), Number(mi), Number(s), Math.floor(Number(`0.${fraction || '0'}`) * 1000));
  date.setTime(date.getTime() - offsetMinutes * 60_000);
  return date;
}

/** The accepted schemes, as libpq and the pg driver read them. */
const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

/**
 * `--db` / `--db-env` (lint and stats): exactly one of them, a `postgres://` or `postgresql://` URL, or `--db ""`
 * for the PG* environment variables alone. Messages never echo the URL past its scheme: it may hold a password.
 */
export function databaseUrl(args: { db?: string; dbEnv?: string }, env: NodeJS.ProcessEnv): string | undefined {
  if (args.db !== undefined && args.dbEnv !== undefined) throw new UsageError('give --db or --db-env, not both');
  if (args.dbEnv !== undefined) {
    const value = env[args.dbEnv];
    if (!value) throw new UsageError(`--db-env ${args.dbEnv}: the environment variable is not set or empty`);
    checkUrl(value, `--db-env ${args.dbEnv}`);
    return value;
  }
  if (args.db === undefined || args.db === '') return undefined;
  checkUrl(args.db, '--db');
  return args.db;
}

function checkUrl(url: string, option: string): void {
  if (POSTGRES_URL.test(url)) return;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  throw new UsageError(
    `${option}: ${scheme ? `${scheme}: is not a PostgreSQL URL scheme` : 'not a URL'}; use postgres://user@host:port/database ` +
      '(or --db "" for the PG* environment variables)',
  );
}

/** `-o ""` or an option given last with no value: yargs hands over an empty string, which would mean stdout. */
export function checkFileOption(value: string | undefined, option: string): void {
  if (value === '') throw new UsageError(`${option}: needs a file name`);
}

/**
 * yargs' own messages on one line. `Invalid values:` lists one `Argument: …, Given: …, Choices: …` line per bad
 * option; each becomes `--fail-on bogus: expected error, warning, note or never`.
 */
export function yargsMessageLine(message: string): string {
  const invalid = [...message.matchAll(/Argument: ([\w-]+), Given: "?(.*?)"?, Choices: (.*)$/gm)];
  if (invalid.length > 0) {
    return invalid
      .map(([, option, given, choices]) => {
        const list = choices.split(/,\s*/).map((choice) => choice.replace(/^"|"$/g, ''));
        const expected = list.length > 1 ? `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}` : list[0];
        return `${option.length === 1 ? '-' : '--'}${option} ${given}: expected ${expected}`;
      })
      .join('; ');
  }
  return message.split(/\s*\n\s*/).filter(Boolean).join(' ');
}
