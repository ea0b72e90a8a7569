import type { Tx } from '../../platform/db/database';

export interface ErasureScope {
  /** Every customer id of the erased group. */
  ids: string[];
  /** The random substitute each id is replaced by in rows that stay (sales, ledgers). */
  substitute: Map<string, string>;
  /** Redacts known personal values (and substitutes ids) in free text. */
  scrubText(s: string): string;
}

/** A module's part of an erasure, in the erasure's transaction; returns the rows it touched. */
export type ErasureStep = (tx: Tx, scope: ErasureScope) => Promise<number>;

const steps = new Map<string, ErasureStep>();

/**
 * Lets other modules (loyalty) erase or anonymise their rows about a person without customers
 * importing them. Register at module load; the count is reported under `name`.
 */
export function registerErasureStep(name: string, step: ErasureStep): void {
  steps.set(name, step);
}

export function erasureSteps(): [string, ErasureStep][] {
  return [...steps.entries()];
}
