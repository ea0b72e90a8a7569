import { sql } from 'kysely';
import './tables';

/**
 * The members (customer root ids) of the computed tag named `name`, as its upkeep last stored them:
 * a FROM-clause fragment of `(customer_id)` rows, for the rule language's `tag` leaf.
 */
export const computedTagMembers = (name: string) =>
  sql<{ customer_id: string }>`(SELECT sm.customer_id FROM segment_members sm
    JOIN saved_segments ss ON ss.id = sm.segment_id WHERE ss.kind = 'tag' AND ss.name = ${name}::text)`;
