import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Database } from './database';

const srcRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface MigrationFile {
  id: string;
  file: string;
}

/**
 * Migrations live beside the code that owns them: src/platform/migrations and
 * src/modules/<module>/migrations. They are applied in the order of their file names
 * (which start with a sortable number), one transaction each, the same on both backends.
 */
export function listMigrations(): MigrationFile[] {
  const dirs = [path.join(srcRoot, 'platform', 'migrations')];
  const modulesDir = path.join(srcRoot, 'modules');
  for (const m of fs.readdirSync(modulesDir).sort()) {
    const d = path.join(modulesDir, m, 'migrations');
    if (fs.existsSync(d)) dirs.push(d);
  }
  const files: MigrationFile[] = [];
  for (const d of dirs) {
    for (const f of fs.readdirSync(d))
      if (f.endsWith('.sql')) files.push({ id: f.replace(/\.sql$/, ''), file: path.join(d, f) });
  }
  files.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const seen = new Set<string>();
  for (const f of files) {
    if (seen.has(f.id)) throw new Error(`duplicate migration id ${f.id}`);
    seen.add(f.id);
  }
  return files;
}

/** Applies pending migrations; returns the ids applied. Safe to run from several processes. */
export async function migrate(database: Database): Promise<string[]> {
  const { db } = database;
  await sql`CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`.execute(
    db,
  );
  const applied: string[] = [];
  // Not transact(): a failed migration must stop the start, not run again (and `applied` is filled as it goes).
  await db.transaction().execute(async (tx) => {
    // Serialises concurrent starters on PostgreSQL; harmless on PGlite (one session).
    await sql`SELECT pg_advisory_xact_lock(7361001)`.execute(tx);
    const done = new Set(
      (await sql<{ id: string }>`SELECT id FROM schema_migrations`.execute(tx)).rows.map((r) => r.id),
    );
    for (const m of listMigrations()) {
      if (done.has(m.id)) continue;
      await sql.raw(fs.readFileSync(m.file, 'utf8')).execute(tx);
      await sql`INSERT INTO schema_migrations (id) VALUES (${m.id})`.execute(tx);
      applied.push(m.id);
    }
  });
  return applied;
}
