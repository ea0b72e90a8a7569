/**
 * Splits `total` into integer parts proportional to `weights` (largest remainder method). The parts
 * sum to `total` exactly; a part never exceeds its weight when total ≤ sum(weights). Ties in the
 * remainder go to the earlier index, so the split is deterministic.
 */
export function allocate(total: number, weights: number[]): number[] {
  const sum = weights.reduce((t, w) => t + w, 0);
  if (total === 0 || sum === 0) return weights.map(() => 0);
  // BigInt keeps total × weight exact beyond 2^53 (large baskets × large discounts).
  const T = BigInt(total);
  const S = BigInt(sum);
  const parts = weights.map((w) => Number((T * BigInt(w)) / S));
  const rems = weights.map((w, i) => ({ i, r: (T * BigInt(w)) % S }));
  let left = total - parts.reduce((t, p) => t + p, 0);
  rems.sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (const { i } of rems) {
    if (left === 0) break;
    parts[i]++;
    left--;
  }
  return parts;
}

/** The share of `amount` that belongs to `k` more of `qty` units when `done` were already taken: exact in integers, summing to `amount`. */
export function proportionalShare(amount: number, qty: number, done: number, k: number): number {
  return Math.floor((amount * (done + k)) / qty) - Math.floor((amount * done) / qty);
}
