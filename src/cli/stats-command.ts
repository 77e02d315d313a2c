/** `schema-lint stats --db URL --output stats.json`: production volume figures for DDL-mode pull-request checks. */
import { statsFileFromModel } from '../sources/stats-file.js';
import { writeFileAtomic } from '../report/write-file.js';
import { databaseUrl, type LintIo } from './lint.js';
import { UsageError } from './errors.js';
import { connectionSettings } from './live-settings.js';

export interface StatsArgs {
  db?: string;
  dbEnv?: string;
  output?: string;
  connectTimeout?: number;
  queryTimeout?: number;
}

export async function runStats(args: StatsArgs, io: LintIo): Promise<number> {
  if (args.db === undefined && args.dbEnv === undefined) throw new UsageError('stats needs --db URL or --db-env NAME');
  const { readCatalog } = await import('../sources/catalog/read-catalog.js');
  const model = await readCatalog(connectionSettings(databaseUrl(args, io.env), args));
  const database = model.source.kind === 'database' ? model.source.database : 'database';
  const text = `${JSON.stringify(statsFileFromModel(model, { generatedAt: new Date(), database }), null, 2)}\n`;
  if (args.output) writeFileAtomic(args.output, text);
  else io.stdout.write(text);
  return 0;
}
