/**
 * trigger-function-uses-new-on-delete: a row trigger that fires on DELETE runs a PL/pgSQL function that reads `NEW`
 * without checking `TG_OP`. On DELETE, `NEW` is NULL: the function records NULLs (or fails a NOT NULL and aborts
 * the delete), and `RETURN NEW` from a BEFORE trigger skips the delete without an error.
 */
import { logicalTables, qualify } from '../src/model/model.js';
import type { FunctionDef, SchemaModel, Trigger } from '../src/model/types.js';
import type { Rule, RuleFinding } from '../src/engine/types.js';
import { newReadsOnDelete, type NewRead } from './trigger-function/new-reads.js';

export type TriggerFunctionUsesNewOnDeleteOptions = Record<string, never>;

/** The trigger function: no arguments, returns trigger, PL/pgSQL. */
function triggerFunction(model: SchemaModel, trigger: Trigger): FunctionDef | undefined {
  return model.functions.get(trigger.function)?.find((fn) => fn.argumentTypes.length === 0 && fn.language === 'plpgsql');
}

function messageFor(trigger: Trigger, fn: FunctionDef, reads: NewRead[]): string {
  const name = qualify(fn.schema, fn.name);
  const places = reads.map((read) => `line ${read.line}: ${read.text}`).join('; ');
  const sentences = [
    `Trigger ${trigger.name} on ${trigger.table} fires on DELETE and runs ${name}(), which reads NEW without checking TG_OP (${places} of its body).`,
    'On DELETE, NEW is NULL: the values it reads are NULL.',
  ];
  if (trigger.timing === 'before' && reads.some((read) => read.isReturn)) {
    sentences.push('RETURN NEW from a BEFORE trigger then returns NULL, which silently skips the delete.');
  }
  sentences.push("Use OLD on DELETE (IF TG_OP = 'DELETE' THEN … RETURN OLD; END IF;), or COALESCE(NEW, OLD) in an expression.");
  return sentences.join(' ');
}

export const triggerFunctionUsesNewOnDelete: Rule<TriggerFunctionUsesNewOnDeleteOptions> = {
  id: 'trigger-function-uses-new-on-delete',
  name: 'TriggerFunctionUsesNewOnDelete',
  defaultSeverity: 'warning',
  mode: 'both',
  fixSafety: [],
  precision: 'high',
  tags: ['correctness', 'trigger', 'plpgsql'],
  docs: {
    summary: 'A PL/pgSQL trigger function fired on DELETE reads NEW without checking TG_OP.',
    description:
      'In a row-level trigger fired by DELETE, `NEW` is NULL (PostgreSQL 11 and later; before that, reading it ' +
      'raised an error). A function shared by INSERT, UPDATE and DELETE that reads `NEW.tenant_id` unconditionally ' +
      'writes NULLs into its audit row, or aborts the DELETE on a NOT NULL column; `RETURN NEW` from a BEFORE DELETE ' +
      'trigger returns NULL, which skips the delete with no error. The function body is parsed with PostgreSQL\'s ' +
      'PL/pgSQL parser; reads count as guarded inside `IF TG_OP <> \'DELETE\'` (or `= \'INSERT\'`/`\'UPDATE\'`, ' +
      '`IN (…)`, `NEW IS NOT NULL`), in the ELSE/ELSIF of `IF TG_OP = \'DELETE\'`, after such an IF that returns or ' +
      'raises, in a CASE on TG_OP, and in an expression that tests TG_OP itself. `RETURN NEW` in an AFTER trigger is ' +
      'ignored by PostgreSQL and is not reported. The seed review\'s own audit function is the bad example below.',
    bad: [
      {
        title: "The seed review's audit function (AFTER INSERT OR UPDATE OR DELETE)",
        sql:
          'CREATE SCHEMA mcp;\n' +
          'CREATE TABLE mcp.tool_configurations (id uuid PRIMARY KEY, tenant_id uuid NOT NULL);\n' +
          'CREATE TABLE mcp.audit_log (tenant_id uuid, entity_type text, entity_id uuid, action text, changes jsonb);\n' +
          'CREATE OR REPLACE FUNCTION mcp.audit_tool_config_changes() RETURNS TRIGGER AS $$\n' +
          'BEGIN\n' +
          '    INSERT INTO mcp.audit_log (tenant_id, entity_type, entity_id, action, changes)\n' +
          "    VALUES (NEW.tenant_id, 'tool_configuration', NEW.id, TG_OP,\n" +
          "            jsonb_build_object('old', to_jsonb(OLD), 'new', to_jsonb(NEW)));\n" +
          '    RETURN NEW;\n' +
          'END;\n' +
          '$$ LANGUAGE plpgsql;\n' +
          'CREATE TRIGGER audit_tool_config_changes AFTER INSERT OR UPDATE OR DELETE ON mcp.tool_configurations\n' +
          '    FOR EACH ROW EXECUTE FUNCTION mcp.audit_tool_config_changes();',
      },
    ],
    good: [
      {
        title: 'OLD on DELETE, NEW otherwise',
        sql:
          'CREATE OR REPLACE FUNCTION mcp.audit_tool_config_changes() RETURNS TRIGGER AS $$\n' +
          'BEGIN\n' +
          "    IF TG_OP = 'DELETE' THEN\n" +
          "        INSERT INTO mcp.audit_log (tenant_id, entity_id, action) VALUES (OLD.tenant_id, OLD.id, TG_OP);\n" +
          '        RETURN OLD;\n' +
          '    END IF;\n' +
          '    INSERT INTO mcp.audit_log (tenant_id, entity_id, action) VALUES (NEW.tenant_id, NEW.id, TG_OP);\n' +
          '    RETURN NEW;\n' +
          'END;\n' +
          '$$ LANGUAGE plpgsql;',
      },
    ],
    fix: 'None: the function has to be rewritten by hand (the message names the lines). Branch on TG_OP and use OLD for DELETE.',
  },
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  defaultOptions: {},
  check(model) {
    const findings: RuleFinding[] = [];
    const readsByFunction = new Map<FunctionDef, NewRead[] | undefined>();
    for (const table of logicalTables(model)) {
      for (const trigger of table.triggers) {
        if (trigger.inherited || trigger.level !== 'row' || !trigger.events.includes('delete')) continue;
        const fn = triggerFunction(model, trigger);
        if (!fn) continue;
        if (!readsByFunction.has(fn)) readsByFunction.set(fn, newReadsOnDelete(fn.body));
        let reads = readsByFunction.get(fn);
        if (!reads?.length) continue;
        // RETURN NEW matters only where PostgreSQL uses the result: BEFORE row triggers.
        if (trigger.timing !== 'before') reads = reads.filter((read) => !read.isReturn);
        if (!reads.length) continue;
        findings.push({
          title: `${qualify(table.schema, table.name)}: trigger ${trigger.name} reads NEW on DELETE (${qualify(fn.schema, fn.name)})`,
          message: messageFor(trigger, fn, reads),
          object: { kind: 'trigger', schema: table.schema, name: table.name, detail: trigger.name },
          origin: trigger.origin,
        });
      }
    }
    return findings;
  },
};
