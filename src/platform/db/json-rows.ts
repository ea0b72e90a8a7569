import { sql, type RawBuilder } from 'kysely';

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
export function insertFromJson(table: string, rows: readonly object[], jsonb: readonly string[] = []): RawBuilder<unknown> {
  const columns = Object.keys(rows[0]);
  const values = columns.map((c) => (jsonb.includes(c) ? sql`(${sql.ref(c)} #>> '{}')::jsonb` : sql.ref(c)));
  return sql`INSERT INTO ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))})
    SELECT ${sql.join(values)} FROM json_populate_recordset(NULL::${sql.table(table)}, ${jsonRowsParam(rows)}::json)`;
}
