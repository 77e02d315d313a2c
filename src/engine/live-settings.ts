/** Live mode's connection settings from the arguments and the config: which database, and how long to wait for it. */
import type { Config } from './config.js';
import { inScope } from './run-rules.js';
import type { ConnectionSettings } from '../sources/catalog/connect.js';
import type { ReadCatalogOptions } from '../sources/catalog/read-catalog.js';
import { UsageError } from '../shared/errors.js';

export interface TimeoutArgs {
  connectTimeout?: number;
  queryTimeout?: number;
}

const MAX_SECONDS = 86_400;

/** Seconds from a flag: a positive number (fractions allowed), at most a day. */
function seconds(value: number | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value <= 0 || value > MAX_SECONDS) {
    throw new UsageError(`${flag}: expected a number of seconds greater than 0 (at most ${MAX_SECONDS})`);
  }
  return value;
}

/** Flags win over the config file; unset, connect.ts's defaults apply (10 s to connect, 60 s per query). */
export function connectionSettings(url: string | undefined, args: TimeoutArgs, config?: Config): ConnectionSettings {
  const connect = seconds(args.connectTimeout, '--connect-timeout') ?? config?.live?.connectTimeoutSeconds;
  const query = seconds(args.queryTimeout, '--query-timeout') ?? config?.live?.queryTimeoutSeconds;
  const settings: ConnectionSettings = { url };
  if (connect !== undefined) settings.connectTimeoutMs = Math.round(connect * 1000);
  if (query !== undefined) settings.queryTimeoutMs = Math.round(query * 1000);
  return settings;
}

/** Only the schemas the config lets in are read from the catalog. */
export function catalogOptions(config: Config): ReadCatalogOptions {
  const filtered = config.schemas.include.length > 0 || config.schemas.exclude.length > 0;
  return filtered ? { schemaInScope: (schema) => inScope(config, schema) } : {};
}
