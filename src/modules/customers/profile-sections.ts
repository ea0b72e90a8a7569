import { Type, type TSchema } from '@sinclair/typebox';
import type { Queryable } from '../../platform/db/database';

/** Reads one section of the 360° profile for a person (every id of the group). */
export type ProfileSectionReader = (db: Queryable, members: string[]) => Promise<unknown>;

const sections = new Map<string, { read: ProfileSectionReader; schema: TSchema }>();

/**
 * Lets other modules add a section to the 360° profile (loyalty: tier and points) without
 * customers importing them. Register at module load, before the server builds its routes; the
 * schema documents the field in the profile responses.
 */
export function registerProfileSection(
  name: string,
  read: ProfileSectionReader,
  schema: TSchema = Type.Unknown(),
): void {
  sections.set(name, { read, schema });
}

export async function readProfileSections(db: Queryable, members: string[]): Promise<Record<string, unknown>> {
  const entries = [...sections.entries()];
  const values = await Promise.all(entries.map(([, s]) => s.read(db, members)));
  return Object.fromEntries(entries.map(([name], i) => [name, values[i]]));
}

/** Optional properties for the registered sections, to merge into the profile response schema. */
export function profileSectionSchemas(): Record<string, TSchema> {
  return Object.fromEntries([...sections.entries()].map(([name, s]) => [name, Type.Optional(s.schema)]));
}
