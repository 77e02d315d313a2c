/**
 * SARIF validators for tests (research/sarif.md §8): the OASIS schema (draft-04, formats on), the copy of the schema
 * that upload-sarif checks against (draft 2020-12), and sarif-multitool with the GitHub-ingestion rules.
 */
import { execFile } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/** The one part of upload-sarif's schema copy that is edited before compiling it. */
interface CodeqlSchema {
  definitions: { region: { properties: { anyOf?: unknown } } };
}

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** `../shared` beside the clone (as in CI), or `SCHEMA_LINT_SHARED_DIR`. */
/**
 * The SARIF schemas, GitHub-ingestion validator config and fingerprint vectors, vendored from shared/sarif (see
 * SOURCE.md there) so the tests run on a fresh clone.
 */
export function sarifDataDir(): string {
  return path.join(projectRoot, 'test', 'data', 'sarif');
}

function formatErrors(label: string, errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${label}: ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

let oasisValidator: ValidateFunction | undefined;
let codeqlValidator: ValidateFunction | undefined;

function loadSchema(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(sarifDataDir(), file), 'utf8')) as Record<string, unknown>;
}

function oasis(): ValidateFunction {
  if (!oasisValidator) {
    // strict off: the OASIS schema uses keywords (e.g. `id` on subschemas) that Ajv's strict mode refuses.
    const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    oasisValidator = ajv.compile(loadSchema('sarif-schema-2.1.0.json'));
  }
  return oasisValidator;
}

function codeqlAction(): ValidateFunction {
  if (!codeqlValidator) {
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const schema = loadSchema('codeql-action-sarif-schema-2.1.0.json') as Record<string, unknown> & CodeqlSchema;
    // This copy moved the region's `anyOf` inside `properties`, where it reads as a property named "anyOf" with an
    // array for a schema. npm jsonschema (what upload-sarif runs) ignores it; Ajv refuses the schema. Dropping it
    // checks exactly what upload-sarif checks (research/sarif.md §8.2).
    delete schema.definitions.region.properties.anyOf;
    codeqlValidator = ajv.compile(schema);
  }
  return codeqlValidator;
}

/** Errors against the OASIS SARIF 2.1.0 schema and against the copy upload-sarif validates with; [] when valid. */
export function validateSarifSchema(sarif: unknown): string[] {
  const errors: string[] = [];
  const o = oasis();
  if (!o(sarif)) errors.push(...formatErrors('oasis', o.errors));
  const c = codeqlAction();
  if (!c(sarif)) errors.push(...formatErrors('codeql-action', c.errors));
  return errors;
}

/** The platform's self-contained multitool binary (the npm wrapper spawns through a shell, which splits paths). */
export function multitoolBinary(): string {
  const require = createRequire(import.meta.url);
  const binary = require(`@microsoft/sarif-multitool-${process.platform}`) as string;
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    // npm skips the package's `chmod` postinstall unless install scripts are approved.
    chmodSync(binary, statSync(binary).mode | 0o100);
  }
  return binary;
}

interface ValidationLog {
  runs?: {
    results?: {
      ruleId?: string;
      level?: string;
      message?: { text?: string; id?: string; arguments?: string[] };
      locations?: { physicalLocation?: { artifactLocation?: { uri?: string } } }[];
    }[];
    invocations?: {
      executionSuccessful?: boolean;
      toolExecutionNotifications?: { level?: string; message?: { text?: string } }[];
    }[];
    tool?: { driver?: { rules?: { id: string; defaultConfiguration?: { level?: string } }[] } };
  }[];
}

/**
 * Runs `sarif-multitool validate` with the GitHub-ingestion config and returns its error-level findings. The
 * multitool exits 0 even when it finds errors, so the verdict is read from its output log: any `error` result, or
 * an unsuccessful execution (a rule crash), fails.
 */
export async function validateSarifWithMultitool(filePath: string): Promise<string[]> {
  return (await validateSarifFilesWithMultitool([filePath])).get(path.resolve(filePath)) ?? [];
}

/**
 * The same for several logs in one multitool run, errors by file: each run starts the .NET runtime (1.2–2.5 s
 * here), each further file costs under a second. A problem of the run itself (a rule crash) counts for every file.
 */
export async function validateSarifFilesWithMultitool(filePaths: string[]): Promise<Map<string, string[]>> {
  const config = path.join(sarifDataDir(), 'multitool-github-ingestion.config.xml');
  const outDir = mkdtempSync(path.join(tmpdir(), 'sarif-validation-'));
  const output = path.join(outDir, 'validation.sarif');
  const byFile = new Map(filePaths.map((file) => [path.resolve(file), [] as string[]]));
  const everyFile = (problem: string): void => {
    for (const errors of byFile.values()) errors.push(problem);
  };
  try {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        multitoolBinary(),
        // The default 10,000 KB cap would skip a full 25,000-result file (GitHub's own cap is 10 MB gzipped).
        ['validate', ...filePaths, '-c', config, '-o', output, '--log', 'ForceOverwrite', '--max-file-size-in-kb', '1000000'],
        // The .NET runtime wants a writable HOME and no telemetry prompt. The validator looks up the log's `$schema`
        // and `helpUri` hosts; with no internet, one lookup the resolver never answered held a call from a shell for
        // glibc's 5 s timeout (6.6 s a call, 1.5 s of it CPU). RES_OPTIONS caps a lookup at 1 s (2.5–3 s a call).
        { env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1', RES_OPTIONS: 'timeout:1 attempts:1' }, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
      );
    });
    if (code !== 0 || !existsSync(output)) {
      everyFile(`multitool exited with ${code}: ${stderr || stdout}`.trim());
      return byFile;
    }
    const log = JSON.parse(readFileSync(output, 'utf8').replace(/^\uFEFF/, '')) as ValidationLog;
    for (const run of log.runs ?? []) {
      const ruleLevels = new Map((run.tool?.driver?.rules ?? []).map((r) => [r.id, r.defaultConfiguration?.level]));
      for (const result of run.results ?? []) {
        // A result without `level` takes its rule's default, which is `warning` when the rule says nothing.
        const level = result.level ?? ruleLevels.get(result.ruleId ?? '') ?? 'warning';
        if (level !== 'error') continue;
        // The multitool writes message ids with arguments (no text): the arguments name the offending path and value.
        const problem = `${result.ruleId}: ${result.message?.text ?? `${result.message?.id} ${JSON.stringify(result.message?.arguments)}`}`;
        const uri = result.locations?.[0]?.physicalLocation?.artifactLocation?.uri;
        const errors = uri?.startsWith('file:') ? byFile.get(fileURLToPath(uri)) : undefined;
        if (errors) errors.push(problem);
        else everyFile(`${problem} (in ${uri ?? 'no file'})`);
      }
      for (const invocation of run.invocations ?? []) {
        if (invocation.executionSuccessful === false) everyFile('multitool: execution was not successful');
        for (const notification of invocation.toolExecutionNotifications ?? []) {
          if (notification.level === 'error') everyFile(`multitool notification: ${notification.message?.text ?? ''}`);
        }
      }
    }
    return byFile;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/**
 * What `checkGithubInvariants` reads of a log. Every field may be missing and list entries may be null (the log is
 * the one under test); the types say what each field should be, the checks find out whether it is.
 */
interface LooseRule {
  id?: string;
  name?: string;
  shortDescription?: { text?: string };
  fullDescription?: { text?: string };
  help?: { text?: string; markdown?: string };
  properties?: { tags?: string[]; precision?: string; 'problem.severity'?: string };
}

interface LooseRegion {
  startLine?: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
}

interface LooseResult {
  ruleId?: string;
  ruleIndex?: number;
  level?: string;
  message?: { text?: string };
  locations?: ({ physicalLocation?: { artifactLocation?: { uri?: string }; region?: LooseRegion } } | null)[];
  partialFingerprints?: { primaryLocationLineHash?: string };
}

interface LooseLog {
  version?: string;
  runs?: {
    results?: LooseResult[];
    columnKind?: string;
    tool?: { driver?: { name?: string; semanticVersion?: string; rules?: LooseRule[] } };
  }[];
}

/** A missing number compares false with everything, as `undefined` does in JavaScript (both are NaN to `<`). */
const num = (value: number | undefined): number => (value === undefined ? NaN : value);

/** Characters allowed in a relative URI reference path: unreserved, sub-delims, `:`, `@`, `/`, and %XX escapes. */
const URI_PATH = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})+$/;

/**
 * The structural rules GitHub applies beyond the JSON schema (research/sarif.md §0, §10): one run, every result with
 * exactly one repository-relative physical location, a valid region, a line hash, and a unique
 * (ruleId, uri, primaryLocationLineHash). Returns the violations.
 */
export function checkGithubInvariants(sarif: unknown): string[] {
  const problems: string[] = [];
  const log = sarif as LooseLog;
  if (log.version !== '2.1.0') problems.push('version is not 2.1.0');
  if (!Array.isArray(log.runs) || log.runs.length !== 1) return [...problems, 'not exactly one run'];
  const run = log.runs[0];
  if (!Array.isArray(run.results)) problems.push('run has no results array');
  if (run.columnKind !== 'utf16CodeUnits') problems.push('columnKind is not utf16CodeUnits');
  const driver = run.tool?.driver;
  if (driver?.name !== 'schema-lint') problems.push('driver name is not schema-lint');
  if (!driver?.semanticVersion) problems.push('driver has no semanticVersion');
  const rules = driver?.rules ?? [];
  const ids = rules.map((r) => r.id);
  if (new Set(ids).size !== ids.length) problems.push('duplicate rule ids');
  for (const rule of rules) {
    const where = `rule ${rule.id}`;
    if (!rule.id || /\s/.test(rule.id)) problems.push(`${where}: bad id`);
    for (const [field, max] of [['shortDescription', 1024], ['fullDescription', 1024], ['help', Infinity]] as const) {
      const text = rule[field]?.text;
      if (!text || text.length > max) problems.push(`${where}: ${field}.text empty or longer than ${max}`);
    }
    if (!rule.help?.markdown) problems.push(`${where}: no help.markdown`);
    if (rule.name !== undefined && (rule.name.length > 255 || rule.name === rule.id)) problems.push(`${where}: bad name`);
    const tags = rule.properties?.tags ?? [];
    if (tags.length > 10 || new Set(tags).size !== tags.length) problems.push(`${where}: more than 10 or duplicate tags`);
    if (!['very-high', 'high', 'medium', 'low'].includes(rule.properties?.precision ?? '')) problems.push(`${where}: precision`);
    if (!['error', 'warning', 'recommendation'].includes(rule.properties?.['problem.severity'] ?? '')) {
      problems.push(`${where}: problem.severity`);
    }
  }
  const triples = new Set<string>();
  (run.results ?? []).forEach((result, i) => {
    const where = `result ${i}`;
    const index = ids.indexOf(result.ruleId);
    if (index < 0) problems.push(`${where}: ruleId ${result.ruleId} not in rules`);
    if (result.ruleIndex !== undefined && result.ruleIndex !== index) problems.push(`${where}: ruleIndex mismatch`);
    if (!['error', 'warning', 'note'].includes(result.level ?? '')) problems.push(`${where}: level ${result.level}`);
    if (!result.message?.text?.trim()) problems.push(`${where}: empty message`);
    if (!Array.isArray(result.locations) || result.locations.length !== 1) problems.push(`${where}: not exactly one location`);
    const physical = result.locations?.[0]?.physicalLocation;
    const uri = physical?.artifactLocation?.uri;
    if (!uri) {
      problems.push(`${where}: no physical location uri`);
    } else {
      const segments = uri.split('/');
      if (!URI_PATH.test(uri) || uri.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(uri) || segments.includes('..') || segments.includes('.')) {
        problems.push(`${where}: uri ${uri} is not a clean relative reference`);
      }
      try {
        segments.forEach((s) => decodeURIComponent(s));
      } catch {
        problems.push(`${where}: uri ${uri} has a bad escape`);
      }
    }
    const region = physical?.region;
    if (!region || !(num(region.startLine) >= 1) || !(num(region.startColumn) >= 1)) problems.push(`${where}: region start < 1`);
    else if (num(region.endLine) < num(region.startLine)) problems.push(`${where}: endLine before startLine`);
    else if (region.endLine === region.startLine && !(num(region.endColumn) > num(region.startColumn))) {
      problems.push(`${where}: empty single-line region`);
    }
    const hash = result.partialFingerprints?.primaryLocationLineHash;
    if (!hash) problems.push(`${where}: no primaryLocationLineHash`);
    const triple = `${result.ruleId}\0${uri}\0${hash}`;
    if (triples.has(triple)) problems.push(`${where}: duplicate (ruleId, uri, primaryLocationLineHash) ${result.ruleId} ${uri} ${hash}`);
    triples.add(triple);
  });
  return problems;
}
