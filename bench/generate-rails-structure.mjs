#!/usr/bin/env node
/**
 * Writes a synthetic `db/structure.sql` shaped like `rails db:schema:dump` with `schema_format = :sql` (pg_dump
 * output plus Rails' own tail), about N lines: SET preamble with `set_config('search_path', '', false)`, extensions
 * with their COMMENTs, a few functions, and per table the pg_dump sequence of statements — `CREATE TABLE public.x`
 * (`id bigint NOT NULL`, `timestamp(6) without time zone`, `character varying`, `jsonb`), `CREATE SEQUENCE … OWNED
 * BY`, `ALTER TABLE ONLY … ALTER COLUMN id SET DEFAULT nextval(…)`, `ADD CONSTRAINT … PRIMARY KEY`, then all
 * `CREATE INDEX index_<table>_on_<cols>`, triggers, `ADD CONSTRAINT fk_rails_<hex> FOREIGN KEY`, and the
 * `SET search_path TO "$user", public;` + `INSERT INTO "schema_migrations" (version) VALUES (…), …;` tail.
 *
 * This stands in for the issue's "real 15,315-line structure.sql (pg_dump of a Rails app)", which is not in the
 * corpus. Deterministic (seeded PRNG), and it loads into PostgreSQL 15 with `psql -v ON_ERROR_STOP=1`.
 *
 * Usage: node bench/generate-rails-structure.mjs <lines> [out.sql]
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOUNS = ['account', 'user', 'project', 'issue', 'comment', 'note', 'label', 'milestone', 'pipeline', 'build', 'artifact',
  'deployment', 'environment', 'release', 'tag', 'member', 'group', 'namespace', 'webhook', 'event', 'invoice', 'payment',
  'subscription', 'plan', 'token', 'session', 'upload', 'attachment', 'notification', 'setting'];

const PREAMBLE = `SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: pgcrypto; Type: EXTENSION; Schema: -; Owner: -
--

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;


--
-- Name: EXTENSION pgcrypto; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON EXTENSION pgcrypto IS 'cryptographic functions';


--
-- Name: set_updated_at(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
  NEW.updated_at := clock_timestamp();
  RETURN NEW;
END;
$$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: ar_internal_metadata; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.ar_internal_metadata (
    key character varying NOT NULL,
    value character varying,
    created_at timestamp(6) without time zone NOT NULL,
    updated_at timestamp(6) without time zone NOT NULL
);


--
-- Name: schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.schema_migrations (
    version character varying NOT NULL
);


`;

const header = (name, type) => `--\n-- Name: ${name}; Type: ${type}; Schema: public; Owner: -\n--\n\n`;
const hex = (rand) => Math.floor(rand() * 0xffffffffff).toString(16).padStart(10, '0');

function countLines(text) {
  let n = 0;
  for (let k = text.indexOf('\n'); k !== -1; k = text.indexOf('\n', k + 1)) n++;
  return n;
}

/** One table's column list and its later statements (pg_dump puts indexes and FKs after all tables). */
function table(i, rand, names) {
  const name = `${NOUNS[i % NOUNS.length]}s${i >= NOUNS.length ? `_${Math.floor(i / NOUNS.length)}` : ''}`;
  const refs = names.length ? [names[Math.floor(rand() * names.length)], ...(rand() < 0.4 ? [names[Math.floor(rand() * names.length)]] : [])] : [];
  const cols = ['    id bigint NOT NULL'];
  const fkCols = [];
  for (const ref of new Set(refs)) {
    const col = `${ref.replace(/s(_\d+)?$/, '$1')}_id`;
    cols.push(`    ${col} bigint${rand() < 0.7 ? ' NOT NULL' : ''}`);
    fkCols.push([col, ref]);
  }
  const extra = 3 + Math.floor(rand() * 9);
  for (let c = 0; c < extra; c++) {
    const r = rand();
    if (r < 0.35) cols.push(`    title_${c} character varying${rand() < 0.3 ? '(255)' : ''}${rand() < 0.4 ? ' NOT NULL' : ''}`);
    else if (r < 0.5) cols.push(`    count_${c} integer DEFAULT 0 NOT NULL`);
    else if (r < 0.6) cols.push(`    state_${c} smallint DEFAULT 0`);
    else if (r < 0.7) cols.push(`    flag_${c} boolean DEFAULT false NOT NULL`);
    else if (r < 0.8) cols.push(`    data_${c} jsonb DEFAULT '{}'::jsonb NOT NULL`);
    else if (r < 0.9) cols.push(`    body_${c} text`);
    else cols.push(`    at_${c} timestamp(6) without time zone`);
  }
  cols.push('    created_at timestamp(6) without time zone NOT NULL', '    updated_at timestamp(6) without time zone NOT NULL');
  const create = `${header(name, 'TABLE')}CREATE TABLE public.${name} (\n${cols.join(',\n')}\n);\n\n\n`;
  const seq = `${header(`${name}_id_seq`, 'SEQUENCE')}CREATE SEQUENCE public.${name}_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


${header(`${name}_id_seq`, 'SEQUENCE OWNED BY')}ALTER SEQUENCE public.${name}_id_seq OWNED BY public.${name}.id;


`;
  const defaults = `${header(`${name} id`, 'DEFAULT')}ALTER TABLE ONLY public.${name} ALTER COLUMN id SET DEFAULT nextval('public.${name}_id_seq'::regclass);\n\n\n`;
  const pkey = `${header(`${name} ${name}_pkey`, 'CONSTRAINT')}ALTER TABLE ONLY public.${name}\n    ADD CONSTRAINT ${name}_pkey PRIMARY KEY (id);\n\n\n`;
  const indexes = [];
  for (const [col] of fkCols) {
    if (rand() < 0.75) indexes.push(`${header(`index_${name}_on_${col}`, 'INDEX')}CREATE INDEX index_${name}_on_${col} ON public.${name} USING btree (${col});\n\n\n`);
  }
  if (rand() < 0.3) indexes.push(`${header(`index_${name}_on_created_at`, 'INDEX')}CREATE INDEX index_${name}_on_created_at ON public.${name} USING btree (created_at DESC);\n\n\n`);
  const triggers = rand() < 0.15 ? [`${header(`${name} ${name}_set_updated_at`, 'TRIGGER')}CREATE TRIGGER ${name}_set_updated_at BEFORE UPDATE ON public.${name} FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();\n\n\n`] : [];
  const fks = fkCols.map(([col, ref]) => {
    const fk = `fk_rails_${hex(rand)}`;
    return `${header(`${name} ${fk}`, 'FK CONSTRAINT')}ALTER TABLE ONLY public.${name}\n    ADD CONSTRAINT ${fk} FOREIGN KEY (${col}) REFERENCES public.${ref}(id)${rand() < 0.3 ? ' ON DELETE CASCADE' : ''};\n\n\n`;
  });
  return { name, create: create + seq, later: [defaults, pkey], indexes, triggers, fks };
}

export function generateRailsStructure(targetLines) {
  const rand = prng(0x7a11 ^ targetLines);
  const tables = [];
  const names = [];
  // Each table's statements spread over the dump; ~60 lines per table with Rails' migration list at the end.
  let lines = countLines(PREAMBLE) + 40;
  while (lines < targetLines) {
    const t = table(tables.length, rand, names);
    tables.push(t);
    names.push(t.name);
    lines += countLines(t.create) + t.later.concat(t.indexes, t.triggers, t.fks).reduce((n, s) => n + countLines(s), 0) + 1;
  }
  const versions = tables.map((_, k) => `('${20150101000000 + k * 1000003}')`);
  return [
    PREAMBLE,
    ...tables.map((t) => t.create),
    ...tables.flatMap((t) => t.later),
    ...tables.flatMap((t) => t.indexes),
    ...tables.flatMap((t) => t.triggers),
    ...tables.flatMap((t) => t.fks),
    `--\n-- PostgreSQL database dump complete\n--\n\nSET search_path TO "$user", public;\n\nINSERT INTO "schema_migrations" (version) VALUES\n${versions.join(',\n')};\n\n\n`,
  ].join('');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const target = Number(process.argv[2]);
  if (!Number.isInteger(target) || target <= 0) {
    process.stderr.write('usage: node bench/generate-rails-structure.mjs <lines> [out.sql]\n');
    process.exit(2);
  }
  const text = generateRailsStructure(target);
  if (process.argv[3]) writeFileSync(process.argv[3], text);
  else process.stdout.write(text);
}
