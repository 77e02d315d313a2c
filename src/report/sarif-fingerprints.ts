/**
 * `partialFingerprints` for SARIF results. GitHub identifies an alert by (rule, path, primaryLocationLineHash)
 * (research/sarif.md §4), so the hash must survive line moves, and no two results of one run may share the triple:
 * GitHub's handling of such duplicates is undocumented and may merge them.
 */
import { createHash } from 'node:crypto';
import { computeLineHashes } from './line-hash.js';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Our own key for other consumers (GitHub ignores it): derived from the Finding key, which has no line number. */
export function schemaLintFingerprint(findingKey: string): string {
  return sha256Hex(findingKey).slice(0, 32);
}

/**
 * A line hash for a result whose anchor has no file text to hash (a database object, an unreadable file): the
 * object's identity in GitHub's `<hex>:<n>` shape (§4), stable across runs and hosts.
 */
export function identityLineHash(ruleId: string, scope: string, findingKey: string): string {
  return `${sha256Hex(`schema-lint\0${ruleId}\0${scope}\0${findingKey}`).slice(0, 16)}:1`;
}

/** Caches each file's line hashes: one pass over a file serves every finding in it. */
export class LineHashCache {
  private readonly byFile = new Map<string, string[] | undefined>();

  constructor(private readonly readFile: (absPath: string) => string | undefined) {}

  lineHashes(absPath: string): string[] | undefined {
    if (!this.byFile.has(absPath)) {
      const text = this.readFile(absPath);
      this.byFile.set(absPath, text === undefined ? undefined : computeLineHashes(text));
    }
    return this.byFile.get(absPath);
  }
}

export interface HashedResult {
  ruleId: string;
  uri: string;
  key: string;
  lineHash: string;
  /** The line hashes of the anchor's file, when it has one: disambiguated values go above every `:n` it uses. */
  fileHashes?: string[];
}

function splitLineHash(lineHash: string): { hex: string; n: number } {
  const colon = lineHash.lastIndexOf(':');
  return { hex: lineHash.slice(0, colon), n: Number(lineHash.slice(colon + 1)) };
}

/**
 * Makes (ruleId, uri, lineHash) unique. Among results that share a triple, the one with the smallest Finding key keeps
 * the line's hash; the others get the next `:n` values above every occurrence of that hex in the file, following
 * GitHub's convention that `:n` counts repeats of the same hash. Ordering by key (not input order) keeps each
 * result's value stable when other findings come and go. Returns the final hash per input index.
 */
export function disambiguate(results: HashedResult[]): string[] {
  const final = results.map((result) => result.lineHash);
  const groups = new Map<string, number[]>();
  results.forEach((result, index) => {
    const triple = `${result.ruleId}\0${result.uri}\0${result.lineHash}`;
    const group = groups.get(triple);
    if (group) group.push(index);
    else groups.set(triple, [index]);
  });
  const taken = new Set(groups.keys());
  for (const [, members] of groups) {
    if (members.length < 2) continue;
    members.sort((a, b) => (results[a].key < results[b].key ? -1 : results[a].key > results[b].key ? 1 : a - b));
    const first = results[members[0]];
    const { hex, n } = splitLineHash(first.lineHash);
    let next = Math.max(n, occurrencesOf(first.lineHash, first.fileHashes)) + 1;
    for (const index of members.slice(1)) {
      let candidate = `${hex}:${next}`;
      while (taken.has(`${first.ruleId}\0${first.uri}\0${candidate}`)) candidate = `${hex}:${++next}`;
      taken.add(`${first.ruleId}\0${first.uri}\0${candidate}`);
      final[index] = candidate;
      next++;
    }
  }
  return final;
}

/** How many lines of the file carry the same hex value (the largest `:n` in use for it). */
function occurrencesOf(lineHash: string, fileHashes: string[] | undefined): number {
  if (!fileHashes) return splitLineHash(lineHash).n;
  const { hex } = splitLineHash(lineHash);
  let count = 0;
  for (const hash of fileHashes) if (hash.startsWith(`${hex}:`)) count++;
  return count;
}
