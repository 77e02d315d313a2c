/** `schema-lint stats --db URL --output stats.json`: production volume figures for DDL-mode pull-request checks. */
import { statsFileFromModel } from '../sources/stats-file.js';
import { writeOutputs } from '../report/output-files.js';
import { checkFileOption, databaseUrl } from './arguments.js';
import type { LintIo } from './lint.js';
import { UsageError } from './errors.js';
import { connectionSettings } from '../engine/live-settings.js';

export interface StatsArgs {
  db?: string;
  dbEnv?: string;
  output?: string;
  connectTimeout?: number;
  queryTimeout?: number;
}

export async function runStats(args: StatsArgs, io: LintIo): Promise<number> {
  if (args.db === undefined && args.dbEnv === undefined) throw new UsageError('stats needs --db URL or --db-env NAME');
  checkFileOption(args.output, '--output');
  const url = databaseUrl(args, io.env);
  const { readCatalog } = await import('../sources/catalog/read-catalog.js');
  const model = await readCatalog(connectionSettings(url, args));
  const database = model.source.kind === 'database' ? model.source.database : 'database';
  const text = `${JSON.stringify(statsFileFromModel(model, { generatedAt: new Date(), database }), null, 2)}\n`;
  if (args.output) await writeOutputs([{ option: '--output', file: args.output, content: text }]);
  else io.stdout.write(text);
  return 0;
}
