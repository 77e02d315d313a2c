/**
 * SARIF 2.1.0 for GitHub code scanning (research/sarif.md §0): one run, every enabled rule, and for each finding
 * exactly one physical location, an explicit level and a `primaryLocationLineHash`.
 */
import { gzipSync } from 'node:zlib';
import type { AnyRule, Finding } from '../engine/types.js';
import { SEVERITY_RANK } from '../engine/types.js';
import { type Anchor, databaseAnchor, fileAnchor } from './sarif-location.js';
import {
  type HashedResult,
  LineHashCache,
  disambiguate,
  identityLineHash,
  schemaLintFingerprint,
} from './sarif-fingerprints.js';
import { sarifRule } from './sarif-rules.js';

/** The `$schema` GitHub's docs use; multitool GH1011 rejects the non-final `-rtm.N` URIs. */
export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
/** GitHub rejects a run with more results (research/sarif.md §3). */
export const MAX_SARIF_RESULTS = 25_000;
const MAX_GZIPPED_BYTES = 10 * 1024 * 1024;
export const DEFAULT_DATABASE_ALIAS = 'db';

export interface SarifInput {
  findings: Finding[];
  /** The enabled rules, in the order they should be listed. */
  rules: AnyRule[];
  toolVersion: string;
  /** Absolute path of the git repository root: result paths are relative to it. */
  repoRoot: string;
  /** The directory relative file origins were given from. */
  cwd: string;
  /** Reads a file as UTF-8 with a leading BOM kept (as upload-sarif hashes it); undefined when unreadable. */
  readFile: (absPath: string) => string | undefined;
  /** `--sarif-category`: becomes `automationDetails.id`, which otherwise upload-sarif's `category:` input fills. */
  category?: string;
  /** Names the database in synthetic paths of database findings; never a host or URL (default `db`). */
  databaseAlias?: string;
  informationUri?: string;
}

export interface SarifOutput {
  sarif: object;
  /** The file content: UTF-8 JSON without BOM, newline-terminated. */
  text: string;
  /** Lines for stderr: results left out, findings that could not be placed at their own file. */
  warnings: string[];
}

/** The most severe findings when there are too many, in their original order. */
function capFindings(findings: Finding[], warnings: string[]): Finding[] {
  if (findings.length <= MAX_SARIF_RESULTS) return findings;
  const ranked = findings
    .map((finding, index) => ({ finding, index }))
    .sort((a, b) => SEVERITY_RANK[b.finding.severity] - SEVERITY_RANK[a.finding.severity] || a.index - b.index);
  const kept = ranked.slice(0, MAX_SARIF_RESULTS).sort((a, b) => a.index - b.index);
  const dropped = ranked.slice(MAX_SARIF_RESULTS);
  const count = (severity: Finding['severity']): number => dropped.filter((d) => d.finding.severity === severity).length;
  warnings.push(
    `SARIF output holds ${MAX_SARIF_RESULTS.toLocaleString('en-US')} of ${findings.length.toLocaleString('en-US')} ` +
      `findings (GitHub's limit per run): left out the least severe ${dropped.length.toLocaleString('en-US')} ` +
      `(${count('error')} errors, ${count('warning')} warnings, ${count('note')} notes).`,
  );
  return kept.map((entry) => entry.finding);
}

function automationId(category: string): string {
  // upload-sarif reads everything before the last `/` as the category.
  return category.endsWith('/') ? category : `${category}/`;
}

export function renderSarif(input: SarifInput): SarifOutput {
  const warnings: string[] = [];
  const alias = input.databaseAlias ?? DEFAULT_DATABASE_ALIAS;
  const ruleIndex = new Map<string, number>();
  const rules = input.rules.filter((rule) => {
    if (ruleIndex.has(rule.id)) return false;
    ruleIndex.set(rule.id, ruleIndex.size);
    return true;
  });

  const findings = capFindings(input.findings, warnings);
  const lineHashes = new LineHashCache(input.readFile);
  const warned = new Set<string>();
  const warnOnce = (message: string): void => {
    if (!warned.has(message)) {
      warned.add(message);
      warnings.push(message);
    }
  };

  const placed = findings.map((finding): { anchor: Anchor; hashed: HashedResult } => {
    if (!ruleIndex.has(finding.ruleId)) {
      // A result whose rule is missing from `rules` is invalid for GitHub; this is a caller bug, not a user error.
      throw new Error(`SARIF: finding ${finding.key} has rule ${finding.ruleId}, which is not among the enabled rules`);
    }
    const anchor = finding.origin.kind === 'file' ? fileAnchor(finding.origin, input.cwd, input.repoRoot) : databaseAnchor(finding, alias);
    if (anchor.warning) warnOnce(anchor.warning);
    const fileHashes = anchor.hashFile === undefined ? undefined : lineHashes.lineHashes(anchor.hashFile);
    let lineHash = fileHashes?.[anchor.region.startLine - 1];
    if (lineHash === undefined) {
      if (anchor.hashFile !== undefined) {
        warnOnce(`${anchor.hashFile}: cannot read line ${anchor.region.startLine} for its SARIF fingerprint; using the finding's identity.`);
      }
      lineHash = identityLineHash(finding.ruleId, anchor.hashFile === undefined ? alias : anchor.uri, finding.key);
    }
    return { anchor, hashed: { ruleId: finding.ruleId, uri: anchor.uri, key: finding.key, lineHash, fileHashes } };
  });
  const finalHashes = disambiguate(placed.map((p) => p.hashed));

  const results = findings.map((finding, index) => {
    const { anchor } = placed[index];
    const properties: Record<string, unknown> = {};
    if (finding.fix) properties.fix = { sql: finding.fix.sql, safety: finding.fix.safety, notes: finding.fix.notes };
    if (finding.origin.kind === 'database') properties.schemaLint = { source: 'database', target: alias };
    return {
      ruleId: finding.ruleId,
      // Every finding's rule is in the run's rule list (built from the findings' rules above).
      ruleIndex: ruleIndex.get(finding.ruleId) ?? -1,
      level: finding.severity,
      message: { text: finding.message.trim() || `${finding.ruleId}: ${finding.key}` },
      locations: [
        {
          physicalLocation: {
            // GitHub ignores uriBaseId (it resolves against the checkout); other viewers learn the path is repo-relative.
            artifactLocation: { uri: anchor.uri, uriBaseId: '%SRCROOT%' },
            region: anchor.region,
          },
          ...(anchor.logicalLocation ? { logicalLocations: [anchor.logicalLocation] } : {}),
        },
      ],
      partialFingerprints: {
        primaryLocationLineHash: finalHashes[index],
        'schemaLint/v1': schemaLintFingerprint(finding.key),
      },
      ...(Object.keys(properties).length > 0 ? { properties } : {}),
    };
  });

  const driver = {
    name: 'schema-lint',
    semanticVersion: input.toolVersion,
    version: input.toolVersion,
    ...(input.informationUri ? { informationUri: input.informationUri } : {}),
    rules: rules.map(sarifRule),
  };
  const run = {
    tool: { driver },
    ...(input.category ? { automationDetails: { id: automationId(input.category) } } : {}),
    columnKind: 'utf16CodeUnits',
    results,
  };
  const sarif = { $schema: SARIF_SCHEMA_URI, version: '2.1.0', runs: [run] };
  const text = `${JSON.stringify(sarif, null, 2)}\n`;
  // Gzip only when the plain text could exceed the limit: gzip does not make JSON of this size larger.
  if (Buffer.byteLength(text, 'utf8') > MAX_GZIPPED_BYTES && gzipSync(text).length > MAX_GZIPPED_BYTES) {
    warnings.push('SARIF file is larger than 10 MB gzipped: GitHub will reject the upload.');
  }
  return { sarif, text, warnings };
}
