import fs from 'node:fs';
import path from 'node:path';

/**
 * Pure source scanning for the ownership rule (see ownership.test.ts): which module creates which
 * table in its migrations, and which tables a source file names in Kysely calls or raw SQL.
 */

type Access = 'read' | 'write';
export interface TableUse {
  table: string;
  access: Access;
  line: number;
}

/** Every file under dir (recursively) whose name passes keep, as paths relative to root. */
export function listFiles(root: string, dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(root, rel, keep));
    else if (keep(e.name)) out.push(rel);
  }
  return out.sort();
}

/** The owner of a source or migration path: `platform`, a module's folder name, or null (demo, cli). */
export function ownerOf(relPath: string): string | null {
  const parts = relPath.split(path.sep);
  if (parts[0] !== 'src') return null;
  if (parts[1] === 'platform') return 'platform';
  if (parts[1] === 'modules' && parts.length > 3) return parts[2];
  return null;
}

/** Tables and views created by migration SQL. */
export function createdRelations(migrationSql: string): string[] {
  const sqlText = stripSqlComments(migrationSql);
  const re = /\bCREATE\s+(?:UNLOGGED\s+)?(?:TABLE|(?:OR\s+REPLACE\s+)?VIEW)\s+(?:IF\s+NOT\s+EXISTS\s+)?"?(\w+)"?/gi;
  return [...sqlText.matchAll(re)].map((m) => m[1]);
}

const KYSELY =
  /\.(selectFrom|insertInto|replaceInto|mergeInto|updateTable|deleteFrom|innerJoin|leftJoin|rightJoin|fullJoin|innerJoinLateral|leftJoinLateral|using|table)\(\s*(\[[^\]]*\]|'[^']*'|"[^"]*"|`[^`$]*`)/g;
const KYSELY_WRITES = new Set(['insertInto', 'replaceInto', 'mergeInto', 'updateTable', 'deleteFrom']);
// Raw SQL keywords are matched in upper case only, as this code base writes them, so prose is not taken for SQL.
const RAW = /\b(FROM|JOIN|INTO|UPDATE|COPY|TABLE)\s+(?:ONLY\s+)?"?([a-z_][a-z0-9_]*)"?/g;
const RAW_WRITES = new Set(['INTO', 'UPDATE', 'COPY', 'TABLE']);
// The first or second argument of a call (an array literal of words is not a call).
const ARGUMENT = /\b\w+\((?:[^()'"`[\]]*,\s*)?(['"`])([a-z_][a-z0-9_]*)\1/g;

/** Every use of a known table in TypeScript source, with the line it is on. */
export function tableUses(source: string, known: ReadonlySet<string>): TableUse[] {
  const text = stripTsComments(source);
  const uses: TableUse[] = [];
  const seen = new Set<number>();
  const lineAt = (i: number) => text.slice(0, i).split('\n').length;
  const add = (table: string, access: Access, at: number) => {
    if (!known.has(table) || seen.has(at)) return;
    seen.add(at);
    uses.push({ table, access, line: lineAt(at) });
  };
  for (const m of text.matchAll(KYSELY)) {
    const argsAt = m.index + m[0].length - m[2].length;
    for (const name of m[2].matchAll(/['"`]\s*([a-z_][a-z0-9_]*)/g))
      add(name[1], KYSELY_WRITES.has(m[1]) ? 'write' : 'read', argsAt + name.index);
  }
  for (const m of text.matchAll(RAW)) {
    // DELETE FROM x is a write although its keyword is FROM.
    const write =
      RAW_WRITES.has(m[1]) || (m[1] === 'FROM' && /DELETE\s+$/.test(text.slice(Math.max(0, m.index - 10), m.index)));
    add(m[2], write ? 'write' : 'read', m.index + m[0].length - m[2].length - (m[0].endsWith('"') ? 1 : 0));
  }
  // A table's name handed to any other call (copyCsv, insertFromJson, a statement builder) counts as a write.
  for (const m of text.matchAll(ARGUMENT)) add(m[2], 'write', m.index + m[0].indexOf(m[1]));
  return uses;
}

/** Relative module specifiers imported (statically or dynamically) by TypeScript source. */
export function importSpecifiers(source: string): string[] {
  const text = stripTsComments(source);
  const re = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"]+)\1/g;
  return [...text.matchAll(re)].map((m) => m[2]);
}

function stripSqlComments(s: string): string {
  return s.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

/** Removes // and /* comments, keeping line breaks so line numbers hold; leaves strings alone. */
function stripTsComments(s: string): string {
  return s.replace(/\/\*[\s\S]*?\*\/|(^|[^:'"`\\])\/\/[^\n]*/g, (m, pre: string | undefined) =>
    m.startsWith('/*') ? m.replace(/[^\n]/g, ' ') : (pre ?? ''),
  );
}
