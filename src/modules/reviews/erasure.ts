import { sql } from 'kysely';
import { registerErasureStep } from '../customers/public';

/** An erased person's reviews go: their text is theirs, and a rating without its author is no review. */
registerErasureStep('reviews', async (tx, scope) => {
  const r = await sql`DELETE FROM product_reviews WHERE customer_id = ANY(${scope.ids}::text[])`.execute(tx);
  return Number(r.numAffectedRows ?? 0);
});
