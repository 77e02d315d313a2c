#!/usr/bin/env node
/**
 * Writes a synthetic but realistic PostgreSQL 15 schema of about N lines, shaped like a pg_dump of an OLTP app:
 * SET preamble, schemas, a trigger function, then repeating "modules" of tables with identity PKs, FKs (inline and
 * `ALTER TABLE ONLY … ADD CONSTRAINT` like pg_dump), jsonb columns (some with CHECKs / GIN indexes, most without),
 * btree / partial / INCLUDE / expression / unique indexes, COMMENTs, triggers, and range-partitioned event tables
 * with monthly partitions made both ways (`CREATE TABLE … PARTITION OF` and `CREATE TABLE` + `ATTACH PARTITION`).
 *
 * Deterministic: the same N always gives byte-identical output (no clock, no Math.random; a seeded PRNG). The
 * output loads into a fresh PostgreSQL 15 database with `psql -v ON_ERROR_STOP=1`, so the same file serves live-mode
 * experiments too. It stops after the first whole module that reaches N lines, so it overshoots N by < 1 module.
 *
 * Usage: node bench/generate-ddl.mjs <lines> [out.sql]   (stdout without out.sql)
 * Library: import { generateDdl } from './generate-ddl.mjs'
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** mulberry32: tiny, fast, and good enough to vary shapes; seeded so output is reproducible. */
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

const PREAMBLE = `--
-- PostgreSQL database dump (synthetic, bench/generate-ddl.mjs)
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

CREATE SCHEMA app;
CREATE SCHEMA billing;
CREATE SCHEMA audit;

COMMENT ON SCHEMA app IS 'application tables';

CREATE TYPE app.order_status AS ENUM (
    'pending',
    'paid',
    'shipped',
    'cancelled'
);

CREATE FUNCTION app.touch_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

CREATE FUNCTION audit.log_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO audit.change_log (table_name, operation, changed_at, row_data)
    VALUES (TG_TABLE_NAME, TG_OP, now(), to_jsonb(COALESCE(NEW, OLD)));
    RETURN NULL;
END;
$$;

CREATE TABLE audit.change_log (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    table_name text NOT NULL,
    operation text NOT NULL,
    changed_at timestamp with time zone NOT NULL,
    row_data jsonb
);

`;

const MONTHS = 12;

function monthStart(year, month) {
  const y = year + Math.floor(month / 12);
  const m = (month % 12) + 1;
  return `${y}-${String(m).padStart(2, '0')}-01`;
}

/** One module: customer, product, order, order line, optional partitioned event table; the FKs chain modules. */
function moduleSql(i, rand) {
  const s = i % 3 === 2 ? 'billing' : 'app';
  const customer = `${s}.customer_${i}`;
  const product = `${s}.product_${i}`;
  const order = `${s}.order_${i}`;
  const line = `${s}.order_line_${i}`;
  const out = [];

  const validated = rand() < 0.3;
  out.push(`CREATE TABLE ${customer} (
    id bigint NOT NULL GENERATED ALWAYS AS IDENTITY,
    email text NOT NULL,
    display_name text,
    country_code character(2) DEFAULT 'US'::bpchar NOT NULL,
    preferences jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    deleted_at timestamp with time zone,
    CONSTRAINT customer_${i}_pkey PRIMARY KEY (id)${validated ? `,
    CONSTRAINT customer_${i}_preferences_check CHECK (jsonb_typeof(preferences) = 'object'::text)` : ''}
);
`);
  out.push(`COMMENT ON TABLE ${customer} IS 'Customers of tenant group ${i}';`);
  out.push(`COMMENT ON COLUMN ${customer}.preferences IS 'UI preferences, free-form';\n`);
  out.push(`CREATE UNIQUE INDEX customer_${i}_email_key ON ${customer} USING btree (lower(email));`);
  out.push(`CREATE INDEX customer_${i}_active_idx ON ${customer} USING btree (created_at) WHERE (deleted_at IS NULL);\n`);

  out.push(`CREATE TABLE ${product} (
    id integer NOT NULL,
    sku text NOT NULL,
    title text NOT NULL,
    price_cents integer NOT NULL,
    attributes jsonb,
    CONSTRAINT product_${i}_price_check CHECK (price_cents >= 0)
);
`);
  out.push(`ALTER TABLE ONLY ${product}
    ADD CONSTRAINT product_${i}_pkey PRIMARY KEY (id);
`);
  out.push(`ALTER TABLE ONLY ${product}
    ADD CONSTRAINT product_${i}_sku_key UNIQUE (sku);
`);
  if (rand() < 0.4) out.push(`CREATE INDEX product_${i}_attributes_idx ON ${product} USING gin (attributes jsonb_path_ops);\n`);

  const previousCustomer = i > 0 ? `${(i - 1) % 3 === 2 ? 'billing' : 'app'}.customer_${i - 1}` : undefined;
  out.push(`CREATE TABLE ${order} (
    id bigint NOT NULL,
    customer_id bigint NOT NULL REFERENCES ${customer}(id),
    referrer_id bigint${previousCustomer ? ` REFERENCES ${previousCustomer}(id) ON DELETE SET NULL` : ''},
    status app.order_status DEFAULT 'pending'::app.order_status NOT NULL,
    total_cents bigint DEFAULT 0 NOT NULL,
    shipping_address jsonb,
    placed_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    PRIMARY KEY (id)
);
`);
  out.push(`COMMENT ON COLUMN ${order}.shipping_address IS 'Snapshot of the address at order time';\n`);
  if (rand() < 0.5) out.push(`CREATE INDEX order_${i}_customer_idx ON ${order} USING btree (customer_id) INCLUDE (status, total_cents);`);
  out.push(`CREATE INDEX order_${i}_open_idx ON ${order} USING btree (placed_at DESC) WHERE (status = ANY (ARRAY['pending'::app.order_status, 'paid'::app.order_status]));\n`);
  out.push(`CREATE TRIGGER order_${i}_touch BEFORE UPDATE ON ${order} FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();`);
  if (rand() < 0.5) out.push(`CREATE TRIGGER order_${i}_audit AFTER INSERT OR DELETE OR UPDATE ON ${order} FOR EACH ROW EXECUTE FUNCTION audit.log_change();`);
  out.push('');

  out.push(`CREATE TABLE ${line} (
    order_id bigint NOT NULL,
    line_no smallint NOT NULL,
    product_id integer NOT NULL,
    quantity integer DEFAULT 1 NOT NULL,
    options jsonb DEFAULT '[]'::jsonb NOT NULL
);
`);
  out.push(`ALTER TABLE ONLY ${line}
    ADD CONSTRAINT order_line_${i}_pkey PRIMARY KEY (order_id, line_no);
`);
  out.push(`ALTER TABLE ONLY ${line}
    ADD CONSTRAINT order_line_${i}_order_fkey FOREIGN KEY (order_id) REFERENCES ${order}(id) ON DELETE CASCADE;
`);
  out.push(`ALTER TABLE ONLY ${line}
    ADD CONSTRAINT order_line_${i}_product_fkey FOREIGN KEY (product_id) REFERENCES ${product}(id);
`);
  if (rand() < 0.5) out.push(`CREATE INDEX order_line_${i}_product_idx ON ${line} USING btree (product_id);\n`);

  if (i % 4 === 0) out.push(...partitionedEvents(i, s, customer, rand));
  return out.join('\n') + '\n';
}

/** A range-partitioned log: half the months as PARTITION OF, half created alone and attached (pg_dump's style). */
function partitionedEvents(i, s, customer, rand) {
  const parent = `${s}.event_${i}`;
  const out = [];
  out.push(`CREATE TABLE ${parent} (
    id bigint NOT NULL,
    customer_id bigint NOT NULL,
    kind text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamp with time zone NOT NULL,
    CONSTRAINT event_${i}_pkey PRIMARY KEY (id, created_at),
    CONSTRAINT event_${i}_customer_fkey FOREIGN KEY (customer_id) REFERENCES ${customer}(id)
)
PARTITION BY RANGE (created_at);
`);
  out.push(`COMMENT ON TABLE ${parent} IS 'Append-only event log, monthly partitions';\n`);
  const year = 2023 + (i % 3);
  for (let m = 0; m < MONTHS; m++) {
    const from = monthStart(year, m);
    const to = monthStart(year, m + 1);
    const child = `${parent}_${from.slice(0, 7).replace('-', '_')}`;
    if (m % 2 === 0) {
      out.push(`CREATE TABLE ${child} PARTITION OF ${parent}
    FOR VALUES FROM ('${from} 00:00:00+00') TO ('${to} 00:00:00+00');`);
    } else {
      out.push(`CREATE TABLE ${child} (
    id bigint NOT NULL,
    customer_id bigint NOT NULL,
    kind text NOT NULL,
    payload jsonb NOT NULL,
    created_at timestamp with time zone NOT NULL
);
ALTER TABLE ONLY ${parent} ATTACH PARTITION ${child} FOR VALUES FROM ('${from} 00:00:00+00') TO ('${to} 00:00:00+00');`);
    }
  }
  out.push('');
  out.push(`CREATE INDEX event_${i}_kind_idx ON ${parent} USING btree (kind, created_at);`);
  if (rand() < 0.5) out.push(`CREATE INDEX event_${i}_payload_idx ON ${parent} USING gin (payload);`);
  out.push(`CREATE TRIGGER event_${i}_audit AFTER INSERT ON ${parent} FOR EACH ROW EXECUTE FUNCTION audit.log_change();\n`);
  return out;
}

function countLines(text) {
  let n = 0;
  for (let k = text.indexOf('\n'); k !== -1; k = text.indexOf('\n', k + 1)) n++;
  return n;
}

/** The DDL text, at least `targetLines` lines long (whole modules only). */
export function generateDdl(targetLines) {
  const rand = prng(0x5eed ^ targetLines);
  const parts = [PREAMBLE];
  let lines = countLines(PREAMBLE);
  for (let i = 0; lines < targetLines; i++) {
    const chunk = moduleSql(i, rand);
    parts.push(chunk);
    lines += countLines(chunk);
  }
  return parts.join('');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const target = Number(process.argv[2]);
  if (!Number.isInteger(target) || target <= 0) {
    process.stderr.write('usage: node bench/generate-ddl.mjs <lines> [out.sql]\n');
    process.exit(2);
  }
  const text = generateDdl(target);
  if (process.argv[3]) writeFileSync(process.argv[3], text);
  else process.stdout.write(text);
}
