import { BUILTIN_TRAITS, isPersonalTrait } from './trait-schema';

/** Built-in traits that identify a person; custom ones are declared pii (trait-schema.ts). */
export const PERSONAL_TRAITS = new Set(
  [...BUILTIN_TRAITS.values()].filter((d) => d.classification === 'pii').map((d) => d.key),
);

export type TraitValues = Record<string, unknown>;
export type TraitSeen = Record<string, string>;

export interface TraitState {
  plain: TraitValues;
  personal: TraitValues;
  seen: TraitSeen;
}

/** Traits declared pii are stored encrypted; the rest (city, gender, ...) in the clear. */
export function splitTraits(traits: TraitValues): { plain: TraitValues; personal: TraitValues } {
  const plain: TraitValues = {};
  const personal: TraitValues = {};
  for (const [k, v] of Object.entries(traits)) (isPersonalTrait(k) ? personal : plain)[k] = v;
  return { plain, personal };
}

/**
 * Combines two trait states: for each trait the most recently observed value wins (ties keep
 * `base`). Returns the result and, for the merge record, what `base` lost and what it took.
 */
export function combine(
  base: TraitState,
  incoming: TraitState,
): { result: TraitState; overwritten: TraitState; took: TraitState } {
  const result: TraitState = { plain: { ...base.plain }, personal: { ...base.personal }, seen: { ...base.seen } };
  const overwritten: TraitState = { plain: {}, personal: {}, seen: {} };
  const took: TraitState = { plain: {}, personal: {}, seen: {} };
  for (const part of ['plain', 'personal'] as const) {
    for (const [k, v] of Object.entries(incoming[part])) {
      const inAt = incoming.seen[k] ?? '';
      const baseAt = base.seen[k];
      const has = k in base[part];
      if (has && baseAt !== undefined && baseAt >= inAt) continue;
      if (has && JSON.stringify(base[part][k]) === JSON.stringify(v)) {
        result.seen[k] = inAt > (baseAt ?? '') ? inAt : (baseAt ?? inAt);
        continue;
      }
      if (has) {
        overwritten[part][k] = base[part][k];
        if (baseAt !== undefined) overwritten.seen[k] = baseAt;
      }
      result[part][k] = v;
      result.seen[k] = inAt;
      took[part][k] = v;
      took.seen[k] = inAt;
    }
  }
  return { result, overwritten, took };
}

/** Undoes `combine` for the traits that still hold what the merge brought. */
export function restore(current: TraitState, overwritten: TraitState, took: TraitState): TraitState {
  const out: TraitState = { plain: { ...current.plain }, personal: { ...current.personal }, seen: { ...current.seen } };
  for (const part of ['plain', 'personal'] as const) {
    for (const [k, v] of Object.entries(took[part])) {
      if (JSON.stringify(out[part][k]) !== JSON.stringify(v) || out.seen[k] !== took.seen[k]) continue; // changed since: keep
      if (k in overwritten[part]) {
        out[part][k] = overwritten[part][k];
        if (overwritten.seen[k] !== undefined) out.seen[k] = overwritten.seen[k];
        else delete out.seen[k];
      } else {
        delete out[part][k];
        delete out.seen[k];
      }
    }
  }
  return out;
}
