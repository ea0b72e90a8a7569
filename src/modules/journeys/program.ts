import crypto from 'node:crypto';
import type { Step } from './definition';

/**
 * A definition's steps as a program the runner walks: every step by id with the id of the step
 * after it (the next in its list, else the step after the branch or split that holds the list;
 * null: the journey ends). An enrolment's position is a step id.
 */
export interface Program {
  first: string | null;
  steps: Map<string, { step: Step; next: string | null }>;
}

export function programOf(steps: Step[]): Program {
  const map: Program['steps'] = new Map();
  const walk = (list: Step[], after: string | null): string | null => {
    list.forEach((s, i) => {
      const next = list[i + 1]?.id ?? after;
      map.set(s.id, { step: s, next });
      if ('branch' in s) {
        walk(s.branch.then, next);
        walk(s.branch.else, next);
      } else if ('split' in s) for (const v of s.split.variants) walk(v.steps, next);
    });
    return list[0]?.id ?? after;
  };
  return { first: walk(steps, null), steps: map };
}

/** Where a list of steps starts, or `after` when it is empty. */
export const startOf = (list: Step[], after: string | null) => list[0]?.id ?? after;

/**
 * A stable number in [0, 100) for a key (SHA-256, the first 6 bytes): the same journey and
 * person always fall in the same holdout bucket and split variant, on every process and restart.
 */
export function bucket(...parts: string[]): number {
  const h = crypto.createHash('sha256').update(parts.join('\u0000')).digest();
  return (h.readUIntBE(0, 6) / 2 ** 48) * 100;
}

/** The variant a person falls in: by weight, from a stable bucket of (journey, step, person). */
export function pickVariant<T extends { weight: number }>(variants: T[], point: number): T {
  const total = variants.reduce((s, v) => s + v.weight, 0);
  let edge = 0;
  for (const v of variants) {
    edge += (v.weight / total) * 100;
    if (point < edge) return v;
  }
  return variants[variants.length - 1]!;
}
