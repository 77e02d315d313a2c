import { readFileSync } from 'node:fs';
import { computeLineHash, computeLineHashes } from '../src/report/line-hash.js';
import { sarifDataDir } from './support/sarif-validate.js';

interface Vector {
  name?: string;
  input: string;
  expected?: string[];
  expectedUploadSarif?: string[];
}

const vectors = JSON.parse(readFileSync(`${sarifDataDir()}/primary-location-line-hash-vectors.json`, 'utf8')) as {
  codeqlActionVectors: Vector[];
  sqlVectors: Vector[];
};

describe('computeLineHashes', () => {
  test.each(vectors.codeqlActionVectors.map((v, i) => [i, v] as const))('codeql-action vector %i', (_i, vector) => {
    expect(computeLineHashes(vector.input)).toEqual(vector.expected);
  });

  test.each(vectors.sqlVectors.map((v) => [v.name, v] as const))('SQL vector %s', (_name, vector) => {
    // upload-sarif keeps the BOM in the hashed text; expectedUploadSarif is what it computes.
    expect(computeLineHashes(vector.input)).toEqual(vector.expectedUploadSarif);
  });

  test('covers every vector in the file', () => {
    expect(vectors.codeqlActionVectors.length).toBeGreaterThanOrEqual(9);
    expect(vectors.sqlVectors.length).toBeGreaterThanOrEqual(7);
  });

  test('a line keeps its hash when lines are inserted above it', () => {
    const tail = 'CREATE TABLE orders (\n  id bigint,\n  customer_id bigint\n);\n';
    const before = computeLineHashes(tail);
    const after = computeLineHashes(`-- added later\n\nCREATE TABLE notes (x int);\n${tail}`);
    expect(after.slice(3)).toEqual(before);
  });

  test('editing the line changes its hash', () => {
    const original = computeLineHashes('CREATE TABLE t (\n  customer_id bigint\n);\n');
    const edited = computeLineHashes('CREATE TABLE t (\n  customer_id integer\n);\n');
    expect(edited[1]).not.toEqual(original[1]);
  });

  test('indentation and CRLF do not change hashes', () => {
    expect(computeLineHashes('a\r\n\t  b\r\n')).toEqual(computeLineHashes('a\nb\n'));
  });
});

describe('computeLineHash', () => {
  const text = vectors.codeqlActionVectors.find((v) => v.input.startsWith('Lorem'))!;

  test('matches the whole-file computation for every line, including :n suffixes', () => {
    text.expected!.forEach((hash, i) => expect(computeLineHash(text.input, i + 1)).toBe(hash));
  });

  test('is undefined past the last line or for a non-positive line', () => {
    expect(computeLineHash('a\nb', 3)).toBeUndefined();
    expect(computeLineHash('a\nb', 0)).toBeUndefined();
  });
});
