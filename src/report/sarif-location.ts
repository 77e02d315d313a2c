/**
 * Where a SARIF result points. GitHub rejects a whole upload when any result lacks a physical location
 * (research/sarif.md §0.5, §2b), so every finding gets one: its DDL file and region, or, for a finding read from a
 * live database, a synthetic repository-relative path named after the object (§5).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Finding, FindingObject } from '../engine/types.js';
import type { SourceOrigin } from '../model/types.js';
import { absoluteFilePath, encodeUriSegments, repoRelativeSegments } from './repo-path.js';

/** Root of the synthetic paths; a dot folder so it can never clash with a real schema folder by accident. */
export const SYNTHETIC_ROOT = '.schema-lint';

export interface Region {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
}

export interface Anchor {
  uri: string;
  region: Region;
  /** Absolute path of the real file whose text gives the line hash; undefined for synthetic paths. */
  hashFile?: string;
  logicalLocation?: { name: string; fullyQualifiedName: string; kind: string };
  /** Why the finding is not at its own file, for the caller's warnings. */
  warning?: string;
}

/**
 * SARIF wants startLine/startColumn ≥ 1, endLine ≥ startLine and, on one line, an exclusive endColumn after
 * startColumn; a region that breaks this fails the schema or GH1003, so odd origins are widened, never dropped.
 */
export function tightRegion(origin: SourceOrigin): Region {
  const startLine = Math.max(1, Math.trunc(origin.line) || 1);
  const startColumn = Math.max(1, Math.trunc(origin.column) || 1);
  let endLine = Math.trunc(origin.endLine) || startLine;
  let endColumn = Math.trunc(origin.endColumn) || 0;
  if (endLine < startLine) endLine = startLine;
  if (endColumn < 1) endColumn = startColumn + 1;
  if (endLine === startLine && endColumn <= startColumn) endColumn = startColumn + 1;
  return { startLine, startColumn, endLine, endColumn };
}

const PLAIN_IDENTIFIER = /^[a-z_][a-z0-9_$]*$/;

/** Quotes an identifier for display when it is not a plain lower-case name, so dotted names stay unambiguous. */
function displayIdent(name: string): string {
  return PLAIN_IDENTIFIER.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** The object a finding is about, as a SARIF logical location. */
export function logicalLocationOf(object: FindingObject): { name: string; fullyQualifiedName: string; kind: string } {
  if (object.kind === 'schema') return { name: object.schema, fullyQualifiedName: displayIdent(object.schema), kind: 'namespace' };
  const relation = `${displayIdent(object.schema)}.${displayIdent(object.name)}`;
  switch (object.kind) {
    case 'column':
      if (object.column !== undefined) {
        return { name: object.column, fullyQualifiedName: `${relation}.${displayIdent(object.column)}`, kind: 'column' };
      }
      break;
    case 'index':
      // Index names live in the schema, not under the table.
      if (object.detail !== undefined) {
        return { name: object.detail, fullyQualifiedName: `${displayIdent(object.schema)}.${displayIdent(object.detail)}`, kind: 'index' };
      }
      break;
    case 'constraint':
    case 'trigger':
      if (object.detail !== undefined) {
        return { name: object.detail, fullyQualifiedName: `${relation}.${displayIdent(object.detail)}`, kind: object.kind };
      }
      break;
    default:
      break;
  }
  const kind = object.kind === 'materialized view' ? 'materializedView' : 'table';
  return { name: object.name, fullyQualifiedName: relation, kind };
}

/**
 * The anchor for a database finding: `.schema-lint/db/<alias>/<schema>/<relation>`, line 1. It is built only from the
 * user-chosen alias and the object's names, never from host, port or credentials, so it is free of secrets and the
 * same for every server that holds the same schema (a changing path would mint new alerts on every run).
 */
export function databaseAnchor(finding: Finding, alias: string): Anchor {
  const segments = [SYNTHETIC_ROOT, 'db', alias, finding.object.schema, ...(finding.object.kind === 'schema' ? [] : [finding.object.name])];
  return {
    uri: encodeUriSegments(segments),
    region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 2 },
    logicalLocation: logicalLocationOf(finding.object),
  };
}

/** The anchor for a finding in a DDL file, relative to the repository root. */
export function fileAnchor(origin: SourceOrigin, cwd: string, repoRoot: string): Anchor {
  const region = tightRegion(origin);
  const absolute = absoluteFilePath(origin.file, cwd);
  const segments = repoRelativeSegments(origin.file, cwd, repoRoot);
  if (segments) return { uri: encodeUriSegments(segments), region, hashFile: absolute };
  // GitHub cannot show a file outside the repository, and `..` is not a valid location: keep the region and the
  // line hash, under a synthetic folder named after the file.
  // The hash is of the path relative to the root (not the absolute path), so it is the same in every checkout.
  const fromRoot = path.relative(path.resolve(repoRoot), absolute).split(path.sep).join('/');
  const outside = [SYNTHETIC_ROOT, 'outside-repository', `${shortHash(fromRoot)}-${path.basename(absolute)}`];
  return {
    uri: encodeUriSegments(outside),
    region,
    hashFile: absolute,
    warning: `${origin.file} is outside the repository root ${repoRoot}; its SARIF results point at ${outside.join('/')}.`,
  };
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}
