import { ident, type StatementParams } from './statement';

/**
 * Rows as one JSON parameter: Buffers become bytea hex text, Dates ISO strings. Many rows then
 * cost one bind parameter instead of one per value (cheaper to build and to send).
 */
export function jsonRowsParam(rows: readonly object[]): string {
  // A replacer function would take V8 off its fast JSON path: copy only rows that hold a Buffer.
  const plain = rows.map((row) => {
    let copy: Record<string, unknown> | null = null;
    for (const [k, v] of Object.entries(row)) {
      if (Buffer.isBuffer(v)) (copy ??= { ...row })[k] = `\\x${v.toString('hex')}`;
    }
    return copy ?? row;
  });
  return JSON.stringify(plain);
}

/**
 * `INSERT INTO table (columns of the first row) SELECT … FROM json_populate_recordset(…)`: a
 * multi-row insert fed by one JSON parameter, for use alone or inside a larger statement (a
 * data-modifying CTE). Every row must have the same keys. `jsonb` names the columns whose values
 * are JSON text (as Kysely inserts them); they are stored parsed, as a plain insert would.
 */
export function insertFromJson(
  params: StatementParams,
  table: string,
  rows: readonly object[],
  jsonb: readonly string[] = [],
): string {
  const columns = Object.keys(rows[0]);
  const values = columns.map((c) => (jsonb.includes(c) ? `(${ident(c)} #>> '{}')::jsonb` : ident(c)));
  return `INSERT INTO ${ident(table)} (${columns.map(ident).join(', ')}) SELECT ${values.join(', ')} FROM json_populate_recordset(NULL::${ident(table)}, ${params.param(jsonRowsParam(rows))}::json)`;
}
