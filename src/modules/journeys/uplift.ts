/**
 * The uplift of a journey: the treated group's goal rate minus the holdout's, with its 95 %
 * confidence interval by Newcombe's hybrid score method (Newcombe 1998, "Interval estimation for
 * the difference between independent proportions", method 10): from the Wilson score interval of
 * each proportion.
 */

const Z95 = 1.959963984540054;

/** The Wilson score interval of x successes in n (n > 0). */
export function wilson(x: number, n: number, z = Z95): [number, number] {
  const p = x / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** p1 − p2 with its Newcombe hybrid score interval; null when either group is empty. */
export function upliftInterval(
  x1: number,
  n1: number,
  x2: number,
  n2: number,
): { uplift: number; ci95: [number, number] } | null {
  if (n1 === 0 || n2 === 0) return null;
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const [l1, u1] = wilson(x1, n1);
  const [l2, u2] = wilson(x2, n2);
  const d = p1 - p2;
  return {
    uplift: d,
    ci95: [d - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)],
  };
}
