/** Derivative-free minimisation: Nelder-Mead, restarted from its own best point until it stops improving. */

export interface Minimum {
  x: number[];
  value: number;
  evaluations: number;
}

export interface MinimiseOptions {
  /** Initial simplex edge along each axis. */
  step?: number;
  /**
   * Stop when the simplex's values differ by less than this times 1 + |best value| (relative, as a
   * log-likelihood summed over many customers carries rounding noise)…
   */
  fTol?: number;
  /** …and its vertices by less than this in every coordinate. */
  xTol?: number;
  maxEvaluations?: number;
  /** Restarts after the first run; a restart that improves by less than fTol ends the search. */
  restarts?: number;
}

/** A non-finite value (a parameter outside the model's domain) counts as +∞, so the simplex moves away. */
function guarded(f: (x: number[]) => number): (x: number[]) => number {
  return (x) => {
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
}

function nelderMead(
  f: (x: number[]) => number,
  x0: number[],
  step: number,
  fTol: number,
  xTol: number,
  budget: number,
) {
  const n = x0.length;
  let evaluations = 0;
  const evalAt = (x: number[]) => {
    evaluations++;
    return f(x);
  };
  const simplex: { x: number[]; v: number }[] = [{ x: x0.slice(), v: evalAt(x0) }];
  for (let i = 0; i < n; i++) {
    const x = x0.slice();
    x[i] += step;
    simplex.push({ x, v: evalAt(x) });
  }
  const along = (from: number[], to: number[], t: number) => from.map((fi, i) => fi + t * (to[i] - fi));
  while (evaluations < budget) {
    simplex.sort((p, q) => p.v - q.v);
    const best = simplex[0];
    const worst = simplex[n];
    const spread = Math.max(...simplex.map((p) => Math.max(...p.x.map((xi, i) => Math.abs(xi - best.x[i])))));
    if (Math.abs(worst.v - best.v) <= fTol * (1 + Math.abs(best.v)) && spread <= xTol) break;
    const centroid = new Array<number>(n).fill(0);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) centroid[i] += simplex[j].x[i] / n;
    const reflected = along(centroid, worst.x, -1);
    const rv = evalAt(reflected);
    if (rv < best.v) {
      const expanded = along(centroid, worst.x, -2);
      const ev = evalAt(expanded);
      simplex[n] = ev < rv ? { x: expanded, v: ev } : { x: reflected, v: rv };
    } else if (rv < simplex[n - 1].v) {
      simplex[n] = { x: reflected, v: rv };
    } else {
      // Contract towards the better of the worst point and its reflection.
      const outside = rv < worst.v;
      const contracted = along(centroid, outside ? reflected : worst.x, 0.5);
      const cv = evalAt(contracted);
      if (cv < (outside ? rv : worst.v)) simplex[n] = { x: contracted, v: cv };
      else
        for (let j = 1; j <= n; j++) {
          const x = along(best.x, simplex[j].x, 0.5);
          simplex[j] = { x, v: evalAt(x) };
        }
    }
  }
  simplex.sort((p, q) => p.v - q.v);
  return { x: simplex[0].x, value: simplex[0].v, evaluations };
}

/**
 * Minimises f from x0. Nelder-Mead's simplex can collapse before reaching the minimum; restarting
 * with a fresh simplex around the best point found is the standard remedy.
 */
export function minimise(f: (x: number[]) => number, x0: number[], options: MinimiseOptions = {}): Minimum {
  const { step = 0.5, fTol = 1e-12, xTol = 1e-8, maxEvaluations = 50_000, restarts = 10 } = options;
  const g = guarded(f);
  let evaluations = 0;
  let run = nelderMead(g, x0, step, fTol, xTol, maxEvaluations);
  evaluations += run.evaluations;
  for (let i = 0; i < restarts && evaluations < maxEvaluations; i++) {
    const next = nelderMead(g, run.x, step / 4, fTol, xTol, maxEvaluations - evaluations);
    evaluations += next.evaluations;
    const improved = run.value - next.value;
    if (next.value < run.value) run = next;
    if (!(improved > fTol * (1 + Math.abs(run.value)))) break;
  }
  if (!Number.isFinite(run.value)) throw new RangeError('the objective is not finite anywhere the optimiser looked');
  return { x: run.x, value: run.value, evaluations };
}
