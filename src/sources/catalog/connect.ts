/**
 * Connecting to the database for live mode, and turning every way that can fail into one line that names the
 * setting to fix. Nothing here ever prints a password: messages are built from the host, port, database and user
 * only, and any driver text that is passed on is scrubbed of the password first.
 */
import pg from 'pg';
import { fallbackPlan, planSsl, SslModeError, type SslPlan } from './ssl-mode.js';

export interface ConnectionSettings {
  /** A `postgres://` URL. Fields it leaves out come from PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE. */
  url?: string;
  /** Milliseconds to wait for the connection (default 10 s). */
  connectTimeoutMs?: number;
  /**
   * Milliseconds one catalog query may take (default 60 s): the server's statement_timeout, and, a little later, a
   * client-side limit for a server that stops answering altogether (a frozen backend, a dead network path).
   */
  queryTimeoutMs?: number;
}

/** Where a connection goes, without credentials: what messages and origins may show. */
export interface ConnectionTarget {
  host: string;
  port: number;
  database: string;
  user: string;
  /** `host:port/dbname`, never a user or a password. */
  alias: string;
}

export class CatalogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogError';
  }
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_QUERY_TIMEOUT_MS = 60_000;

/** The target pg will use once env defaults are applied (pg resolves them when the client is built). */
export function describeTarget(client: pg.Client): ConnectionTarget {
  // pg's types say these are set; before the connection settings are resolved they may not be.
  const { host = 'localhost', port = 5432 } = client as { host?: string; port?: number };
  const database = client.database ?? client.user ?? '';
  const user = client.user ?? '';
  return { host, port, database, user, alias: `${host}:${port}/${database}` };
}

/** Builds an unconnected client; a malformed URL is a CatalogError that does not echo the URL (it may hold a password). */
export function createClient(settings: ConnectionSettings, plan: SslPlan = sslPlan(settings)): pg.Client {
  try {
    return new pg.Client({
      connectionString: plan.url,
      application_name: 'schema-lint',
      connectionTimeoutMillis: settings.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    });
  } catch (error) {
    const reason = scrub(errorText(error), passwordOfUrl(settings.url));
    // pg's own words for this run to several sentences; libpq refuses the same URL too.
    if (/verify-ca requires specifying a CA/.test(reason)) throw new CatalogError('sslmode=verify-ca needs sslrootcert (the CA that signed the server certificate) in the database URL');
    throw new CatalogError(`invalid database URL: ${reason}`);
  }
}

function sslPlan(settings: ConnectionSettings): SslPlan {
  try {
    return planSsl(settings.url, process.env);
  } catch (error) {
    if (error instanceof SslModeError) throw new CatalogError(error.message);
    throw error;
  }
}

/**
 * Connects, or throws a CatalogError. An aborted `signal` drops the connection attempt at once (pg cannot cancel a
 * connect, and its socket would keep the process alive until the connect timeout): the helper connection's, when the
 * read no longer needs it.
 */
export async function connect(settings: ConnectionSettings, signal?: AbortSignal): Promise<{ client: pg.Client; target: ConnectionTarget }> {
  let plan = sslPlan(settings);
  for (;;) {
    if (signal?.aborted) throw new CatalogError('connection attempt abandoned');
    const client = createClient(settings, plan);
    const target = describeTarget(client);
    // An unhandled 'error' event (the server going away later) would crash the process instead of failing a query.
    client.on('error', () => undefined);
    const drop = () => streamOf(client)?.destroy();
    signal?.addEventListener('abort', drop, { once: true });
    try {
      await client.connect();
      return { client, target };
    } catch (error) {
      await client.end().catch(() => undefined);
      if (signal?.aborted) throw new CatalogError('connection attempt abandoned');
      const next = fallbackPlan(plan, errorText(error));
      if (!next) throw toCatalogError(error, target, secretOf(client, settings));
      plan = next;
    } finally {
      signal?.removeEventListener('abort', drop);
    }
  }
}

/** pg has no public way to drop a connection; its socket is `connection.stream`. */
export function streamOf(client: pg.Client): { destroy(): void } | undefined {
  return (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
}

function passwordOfUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const password = new URL(url).password;
    return password ? decodeURIComponent(password) : undefined;
  } catch {
    return undefined;
  }
}

function secretOf(client: pg.Client, settings: ConnectionSettings): string | undefined {
  const password = (client as unknown as { password?: unknown }).password;
  return typeof password === 'string' && password ? password : passwordOfUrl(settings.url);
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

function scrub(text: string, secret: string | undefined): string {
  let result = text.split('\n')[0].trim();
  if (secret) result = result.split(secret).join('***');
  if (secret && secret !== encodeURIComponent(secret)) result = result.split(encodeURIComponent(secret)).join('***');
  return result;
}

/** Errors from the driver or the server (as opposed to bugs here, which must surface as they are). */
export function isDriverError(error: unknown): boolean {
  if (error instanceof CatalogError) return true;
  const code = (error as DriverError | undefined)?.code;
  if (typeof code === 'string') return true;
  return /Connection terminated|timeout expired|Query read timeout|does not support SSL|client password must be a string/i.test(errorText(error));
}

interface DriverError {
  code?: string;
  message?: string;
  errno?: number;
  syscall?: string;
}

/**
 * Maps a driver or server error to one line. SQLSTATEs name server-side failures; Node's error codes name network
 * failures; pg's own messages (timeouts, missing password) are matched by text because they carry no code.
 */
export function toCatalogError(error: unknown, target: ConnectionTarget, secret?: string): CatalogError {
  if (error instanceof CatalogError) return error;
  const { host, port, database, user } = target;
  const where = `${host}:${port}`;
  const e = (error ?? {}) as DriverError;
  const raw = scrub(errorText(error), secret);
  switch (e.code) {
    case '28P01':
      return new CatalogError(`password authentication failed for user ${user} at ${where}`);
    case '28000':
      return new CatalogError(`connection for user ${user} to database ${database} at ${where} rejected by the server: ${raw}`);
    case '3D000':
      return new CatalogError(`database ${database} does not exist at ${where}`);
    case '42501':
      return new CatalogError(`permission denied for user ${user} on ${target.alias}: ${raw}`);
    case '57014':
      return new CatalogError(`reading the catalog of ${target.alias} timed out (statement_timeout): ${raw}`);
    case '55P03':
      return new CatalogError(`reading the catalog of ${target.alias} waited too long for a lock (lock_timeout): ${raw}`);
    case '54001':
      // pg_get_expr recurses per expression level under max_stack_depth, which only a superuser can raise.
      return new CatalogError(
        `reading the catalog of ${target.alias} failed: an expression there is nested too deeply for the server to print (stack depth limit exceeded); ` +
          `a superuser can raise max_stack_depth for this role (ALTER ROLE ${user} SET max_stack_depth = '6MB')`,
      );
    case '53300':
      return new CatalogError(`too many connections at ${where}: ${raw}`);
    case '57P03':
      return new CatalogError(`the server at ${where} is not accepting connections yet: ${raw}`);
    case 'ECONNREFUSED':
      return new CatalogError(`could not connect to ${where}: connection refused`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new CatalogError(`could not connect to ${where}: unknown host ${host}`);
    case 'ETIMEDOUT':
      return new CatalogError(`could not connect to ${where}: timed out`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new CatalogError(`could not connect to ${where}: host unreachable`);
    case 'ENOENT':
      return new CatalogError(`could not connect to ${where}: no server socket there`);
  }
  if (/timeout expired|connection timeout/i.test(raw)) return new CatalogError(`could not connect to ${where}: timed out`);
  if (/client password must be a string|password authentication failed/i.test(raw)) {
    return new CatalogError(`no password given for user ${user} at ${where} (set it in the URL or PGPASSWORD)`);
  }
  if (/does not support SSL/i.test(raw)) {
    return new CatalogError(`the server at ${where} does not support SSL, which sslmode requires (use sslmode=prefer or disable, or turn ssl on in the server)`);
  }
  if (/self[- ]signed certificate|unable to verify|certificate|Hostname\/IP does not match/i.test(raw) && !e.code?.match(/^[0-9A-Z]{5}$/)) {
    return new CatalogError(`SSL certificate of the server at ${where} not accepted: ${raw} (sslmode=require encrypts without verifying; verify-ca and verify-full need the server's CA in sslrootcert)`);
  }
  if (/Connection terminated/i.test(raw)) return new CatalogError(`connection to ${where} closed by the server: ${raw}`);
  return new CatalogError(`${target.alias}: ${raw}`);
}
