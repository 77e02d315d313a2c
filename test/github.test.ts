import { rmSync } from 'node:fs';
import path from 'node:path';
import { escapeData, escapeProperty, renderGithubAnnotations } from '../src/report/github.js';
import { dbOrigin, fileOrigin, finding, tempGitRepo, writeRepoFile } from './support/sarif-fixtures.js';

let repo: string;
beforeAll(() => {
  repo = tempGitRepo();
});
afterAll(() => rmSync(repo, { recursive: true, force: true }));

describe('renderGithubAnnotations', () => {
  test('one command per finding, by severity, with the path relative to the repository root', () => {
    const file = writeRepoFile(repo, 'db/schema.sql', 'CREATE TABLE orders (id int);\n');
    const cwd = path.join(repo, 'db');
    const findings = [
      finding('fk-without-index', fileOrigin('schema.sql', 3, 5, 16), {}, 'error'),
      finding('missing-primary-key', fileOrigin(file, 1, 14, 20), {}, 'warning'),
      finding('timestamp-without-time-zone', fileOrigin('schema.sql', 2, 1, 4, 4), {}, 'note'),
    ];
    expect(renderGithubAnnotations(findings, cwd, repo)).toBe(
      [
        '::error file=db/schema.sql,line=3,col=5,endLine=3,endColumn=16,title=fk-without-index::Table "public.orders" breaks fk-without-index.',
        '::warning file=db/schema.sql,line=1,col=14,endLine=1,endColumn=20,title=missing-primary-key::Table "public.orders" breaks missing-primary-key.',
        '::notice file=db/schema.sql,line=2,col=1,endLine=4,endColumn=4,title=timestamp-without-time-zone::Table "public.orders" breaks timestamp-without-time-zone.',
        '',
      ].join('\n'),
    );
  });

  test('escapes data and properties the way the runner parses them', () => {
    const f = finding('missing-primary-key', fileOrigin('a,b:c%.sql', 1), {}, 'warning');
    f.message = 'Table "public.orders" has 100% no key:\r\nadd one, now.';
    const line = renderGithubAnnotations([f], repo, repo);
    expect(line).toBe(
      '::warning file=a%2Cb%3Ac%25.sql,line=1,col=1,endLine=1,endColumn=6,title=missing-primary-key::' +
        'Table "public.orders" has 100%25 no key:%0D%0Aadd one, now.\n',
    );
    expect(line.trimEnd().split('\n')).toHaveLength(1);
  });

  test('escape sequences in names are shown, not obeyed by the log viewer', () => {
    const f = finding('missing-primary-key', fileOrigin('a.sql', 1), {}, 'warning');
    f.message = 'Table "public.esc\u001b[31mRED" has no key';
    const line = renderGithubAnnotations([f], repo, repo);
    expect(line).not.toContain('\u001b');
    expect(line).toContain('esc\\x1b[31mRED');
  });

  test('database findings and files outside the repository have no file property', () => {
    const outside = path.resolve(repo, '..', 'elsewhere.sql');
    const lines = renderGithubAnnotations(
      [finding('missing-primary-key', dbOrigin()), finding('missing-primary-key', fileOrigin(outside, 2))],
      repo,
      repo,
    ).split('\n');
    expect(lines[0]).toBe('::warning title=missing-primary-key::Table "public.orders" breaks missing-primary-key.');
    expect(lines[1]).toBe(lines[0]);
  });

  test('no findings, no output', () => {
    expect(renderGithubAnnotations([], repo, repo)).toBe('');
  });

  test('escape helpers', () => {
    expect(escapeData('a%b\rc\nd:e,f')).toBe('a%25b%0Dc%0Ad:e,f');
    expect(escapeProperty('a%b\rc\nd:e,f')).toBe('a%25b%0Dc%0Ad%3Ae%2Cf');
  });
});
