/** The config file: found upward from the working folder, validated with ajv; every error names the bad key. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Ajv as AjvClass, ErrorObject } from 'ajv';
import { MIGRATION_LAYOUTS, type MigrationLayout } from '../sources/ddl/migration-layout.js';
import { loadAjv } from '../shared/lazy-modules.js';
import type { AnyRule, Severity } from './types.js';

export const CONFIG_FILE_NAME = 'schema-lint.config.json';

export type RuleSetting = Severity | 'off' | { severity?: Severity | 'off'; options?: Record<string, unknown> };

export interface Config {
  rules: Record<string, RuleSetting>;
  schemas: { include: string[]; exclude: string[] };
  ignores: Array<{ rule: string; objects: string[]; reason?: string }>;
  failOn?: Severity | 'never';
  /** Modules of custom rules, relative to the config file. */
  plugins?: string[];
  /** Live mode: how long to wait for the server (seconds); `--connect-timeout` / `--query-timeout` override. */
  live?: { connectTimeoutSeconds?: number; queryTimeoutSeconds?: number };
  /** How a migration folder is read (which files run, in which order); `auto` detects it from the layout. */
  migrations?: { layout?: MigrationLayout };
  /** DDL mode: how the files ran (`--session`). */
  session?: 'shared' | 'per-file';
  /** DDL mode: each session's starting search_path (`--search-path`). */
  searchPath?: string[];
  /** DDL mode's parse cache: `enabled: false` is `--no-cache`; `dir` (relative to the config file) is `--cache-dir`. */
  cache?: { enabled?: boolean; dir?: string };
}

export class ConfigError extends Error {}

const severityOrOff = { enum: ['error', 'warning', 'note', 'off'] };

const configSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    rules: {
      type: 'object',
      additionalProperties: {
        anyOf: [
          severityOrOff,
          {
            type: 'object',
            additionalProperties: false,
            properties: { severity: severityOrOff, options: { type: 'object' } },
          },
        ],
      },
    },
    schemas: {
      type: 'object',
      additionalProperties: false,
      properties: {
        include: { type: 'array', items: { type: 'string' } },
        exclude: { type: 'array', items: { type: 'string' } },
      },
    },
    ignores: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['rule', 'objects'],
        properties: {
          rule: { type: 'string' },
          objects: { type: 'array', items: { type: 'string' }, minItems: 1 },
          reason: { type: 'string' },
        },
      },
    },
    failOn: { enum: ['error', 'warning', 'note', 'never'] },
    plugins: { type: 'array', items: { type: 'string' } },
    live: {
      type: 'object',
      additionalProperties: false,
      properties: {
        connectTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 86400 },
        queryTimeoutSeconds: { type: 'number', exclusiveMinimum: 0, maximum: 86400 },
      },
    },
    migrations: { type: 'object', additionalProperties: false, properties: { layout: { enum: [...MIGRATION_LAYOUTS] } } },
    session: { enum: ['shared', 'per-file'] },
    searchPath: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
    cache: { type: 'object', additionalProperties: false, properties: { enabled: { type: 'boolean' }, dir: { type: 'string', minLength: 1 } } },
  },
};

type Validator = ReturnType<AjvClass['compile']>;
let ajvInstance: AjvClass | undefined;
let configValidator: Validator | undefined;
const compiledOptionSchemas = new WeakMap<AnyRule, Validator>();

/** Compiling schemas costs tens of milliseconds: done only when there is something to validate. */
export function newAjv(options: ConstructorParameters<typeof AjvClass>[0]): AjvClass {
  const { Ajv } = loadAjv();
  return new Ajv(options);
}

function ajv(): AjvClass {
  ajvInstance ??= newAjv({ allErrors: true, useDefaults: true, strict: false });
  return ajvInstance;
}

function validateConfigShape(value: unknown): boolean {
  configValidator ??= ajv().compile(configSchema);
  return configValidator(value) as boolean;
}

/** `ajv` errors as `key.path: message` lines, naming the key the user wrote. */
export function describeAjvErrors(errors: ErrorObject[] | null | undefined, prefix: string): string[] {
  return (errors ?? []).map((error) => {
    const pointer = error.instancePath.split('/').filter(Boolean).map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
    let key = [prefix, ...pointer].filter(Boolean).join('.');
    let message = error.message ?? 'is invalid';
    if (error.keyword === 'additionalProperties') {
      key = [key, (error.params as { additionalProperty: string }).additionalProperty].filter(Boolean).join('.');
      message = 'is not a known setting';
    } else if (error.keyword === 'enum') {
      message = `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    }
    return `${key || '(top level)'}: ${message}`;
  });
}

export function emptyConfig(): Config {
  return { rules: {}, schemas: { include: [], exclude: [] }, ignores: [] };
}

/** Finds `schema-lint.config.json` in `start` or a folder above it. */
export function findConfigFile(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, CONFIG_FILE_NAME);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function parseConfig(text: string, file: string, rules?: AnyRule[]): Config {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (!validateConfigShape(raw)) {
    throw new ConfigError(`${file}: ${describeAjvErrors(configValidator?.errors, '').join('; ')}`);
  }
  const config = { ...emptyConfig(), ...(raw as Partial<Config>) };
  config.schemas = { ...{ include: [] as string[], exclude: [] as string[] }, ...config.schemas };
  if (rules) checkRuleIds(config, file, rules);
  return config;
}

/** Rule ids named in the config must be rules that run (ours and the custom ones). */
export function checkRuleIds(config: Config, file: string, rules: AnyRule[]): void {
  const known = new Set(rules.map((rule) => rule.id));
  for (const id of Object.keys(config.rules)) {
    if (!known.has(id)) throw new ConfigError(`${file}: rules.${id}: is not a known rule (see 'schema-lint rules')`);
  }
  for (const [i, ignore] of config.ignores.entries()) {
    if (ignore.rule !== '*' && !known.has(ignore.rule)) throw new ConfigError(`${file}: ignores.${i}.rule: "${ignore.rule}" is not a known rule`);
  }
}

/** A config given as an object (the API): the same shape checks as a file. */
export function configFromObject(value: unknown, rules: AnyRule[]): Config {
  return parseConfig(JSON.stringify(value ?? {}), 'config', rules);
}

/**
 * The config without checking rule ids: custom rules named in `plugins` must load before ids can be checked.
 * Pass `rules` to check them at once.
 */
export function loadConfig(explicitPath: string | undefined, cwd: string, rules?: AnyRule[]): { config: Config; file?: string } {
  const file = explicitPath ?? findConfigFile(cwd);
  if (!file) return { config: emptyConfig() };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`${file}: cannot read the config file`);
  }
  return { config: parseConfig(text, file, rules), file };
}

/** Rule options: the rule's defaults, overlaid with the config's, validated against the rule's schema. */
export function resolveRuleOptions(rule: AnyRule, given: Record<string, unknown> | undefined, where: string): Record<string, unknown> {
  // A rule's own defaults are valid (a test checks every rule's), so only options a user gave need validating.
  const defaults = rule.defaultOptions as Record<string, unknown>;
  if (given === undefined) return structuredClone(defaults);
  const options = structuredClone({ ...defaults, ...given });
  let validate = compiledOptionSchemas.get(rule);
  if (!validate) {
    validate = ajv().compile(rule.optionsSchema);
    compiledOptionSchemas.set(rule, validate);
  }
  if (!validate(options)) {
    throw new ConfigError(`${where}: ${describeAjvErrors(validate.errors, `rules.${rule.id}.options`).join('; ')}`);
  }
  return options;
}
