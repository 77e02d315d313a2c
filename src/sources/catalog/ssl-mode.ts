/**
 * `sslmode` with libpq's meaning, for a PostgreSQL tool's users expect it to mean what it means to psql.
 *
 * The pg driver (8.x) treats `prefer`, `require` and `verify-ca` as `verify-full` and prints a ten-line deprecation
 * warning when it sees them; its `uselibpqcompat=true` switch gives libpq's semantics without the warning. It also
 * ignores a misspelt mode: `sslmode=bogus` in a URL still tries SSL (and fails with "does not support SSL"), and
 * `PGSSLMODE=bogus` silently connects without SSL. So the mode is checked here first, and handed to pg in the
 * form that gives libpq's behaviour. libpq's `allow` and `prefer` fall back between plain and SSL connections;
 * pg cannot, so `connect` does the fallback (see `fallbackMode`).
 */

export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'] as const;
export type SslMode = (typeof SSL_MODES)[number];

export class SslModeError extends Error {}

export interface SslPlan {
  /** The URL to give pg (undefined: pg takes everything from the PG* environment variables). */
  url: string | undefined;
  /** The mode in force, if any was asked for. */
  mode?: SslMode;
}

function checkMode(value: string, where: string): SslMode {
  if ((SSL_MODES as readonly string[]).includes(value)) return value as SslMode;
  throw new SslModeError(`invalid sslmode ${JSON.stringify(value)} in ${where}: use one of ${SSL_MODES.join(', ')}`);
}

/** What pg must be given so that `mode` means what libpq says (`allow` starts without SSL, `prefer` with it). */
function pgParams(mode: SslMode): Record<string, string> {
  switch (mode) {
    case 'allow':
      return { sslmode: 'disable' };
    case 'prefer':
      return { sslmode: 'require', uselibpqcompat: 'true' };
    case 'no-verify':
      // pg's own mode (encrypt, do not verify); it has no libpq-compatible spelling and prints no warning.
      return { sslmode: 'no-verify' };
    default:
      return { sslmode: mode, uselibpqcompat: 'true' };
  }
}

function withParams(url: string | undefined, params: Record<string, string>): string | undefined {
  // An empty host, user and database in the URL let pg fill them from PGHOST, PGUSER, PGDATABASE as before.
  let parsed: URL;
  try {
    parsed = new URL(url ?? 'postgres://');
  } catch {
    return url; // pg reports a malformed URL itself (without echoing it)
  }
  parsed.searchParams.delete('uselibpqcompat');
  for (const [key, value] of Object.entries(params)) parsed.searchParams.set(key, value);
  return parsed.toString();
}

function sslModeOfUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).searchParams.get('sslmode') ?? undefined;
  } catch {
    return undefined;
  }
}

/** Checks the sslmode of the URL (else of PGSSLMODE) and rewrites the URL so pg applies it as libpq would. */
export function planSsl(url: string | undefined, env: NodeJS.ProcessEnv): SslPlan {
  const fromUrl = sslModeOfUrl(url);
  const raw = fromUrl ?? env.PGSSLMODE;
  if (raw === undefined || raw === '') return { url };
  const mode = checkMode(raw, fromUrl !== undefined ? 'the database URL' : 'PGSSLMODE');
  if (mode === 'disable' && fromUrl === undefined) return { url, mode };
  return { url: withParams(url, pgParams(mode)), mode };
}

/**
 * libpq's second attempt: `prefer` connects without SSL when the server has none; `allow` connects with SSL when
 * the server refuses a plain connection. Undefined when the failure is not one of those.
 */
export function fallbackPlan(plan: SslPlan, failure: string): SslPlan | undefined {
  if (plan.mode === 'prefer' && /does not support SSL/i.test(failure)) {
    return { url: withParams(plan.url, { sslmode: 'disable' }), mode: 'disable' };
  }
  if (plan.mode === 'allow' && /no encryption|SSL off|requires SSL/i.test(failure)) {
    return { url: withParams(plan.url, { sslmode: 'require', uselibpqcompat: 'true' }), mode: 'require' };
  }
  return undefined;
}
