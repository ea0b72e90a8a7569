import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { conditionalExpectedPurchases, fitBgNbd, probabilityAlive } from './bgnbd';
import { conditionalExpectedAverageValue, fitGammaGamma } from './gamma-gamma';
import { summarise, type Transaction } from './summary';

/**
 * The CDNOW sample (2,357 customers of the first 1997 quarter, calibration up to 1997-09-30) with the
 * parameters the literature publishes for it. The data lives in shared/ beside the clone (CI); a
 * worktree one level deeper falls back to /work/shared.
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const CDNOW = [path.resolve(ROOT, '..', 'shared', 'data', 'cdnow'), '/work/shared/data/cdnow'].find((d) =>
  fs.existsSync(path.join(d, 'cdnow_customers_summary_with_transactions.csv')),
);
if (!CDNOW) console.warn('CDNOW data not found in ../shared/data/cdnow or /work/shared/data/cdnow: skipping its tests');

function csv(file: string): string[][] {
  const lines = fs.readFileSync(path.join(CDNOW!, file), 'utf8').trim().split(/\r?\n/);
  return lines.slice(1).map((l) => l.split(','));
}

/** ID,x,t_x,T,zbar: the published summary, in weeks, with the mean repeat-purchase value. */
const published = () =>
  csv('cdnow_customers_summary_with_transactions.csv').map(([id, x, tx, T, zbar]) => ({
    id,
    frequency: Number(x),
    recency: Number(tx),
    T: Number(T),
    monetary: Number(zbar),
  }));

describe.skipIf(!CDNOW)('CDNOW sample reproduces the published parameters', () => {
  it('BG/NBD: r 0.243, α 4.414, a 0.793, b 2.426 (Fader, Hardie & Lee 2005), in well under 10 s', () => {
    const started = Date.now();
    const fit = fitBgNbd(published());
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(fit.r).toBeCloseTo(0.243, 3);
    expect(fit.alpha).toBeCloseTo(4.414, 2);
    expect(fit.a).toBeCloseTo(0.793, 3);
    expect(fit.b).toBeCloseTo(2.426, 2);
    expect(fit.logLikelihood).toBeCloseTo(-9582.4, 1);
  });

  it('Gamma-Gamma: p 6.25, q 3.74, v 15.44 (Fader & Hardie 2013)', () => {
    const fit = fitGammaGamma(published());
    expect(fit.p).toBeCloseTo(6.25, 2);
    expect(fit.q).toBeCloseTo(3.74, 2);
    expect(Math.abs(fit.v - 15.44) / 15.44).toBeLessThan(0.001);
  });

  it('conditional predictions match the paper’s worked example (x 2, t_x 30.43, T 38.86)', () => {
    const params = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
    const customer = { frequency: 2, recency: 30.43, T: 38.86 };
    // Fader, Hardie & Lee (2005), section 5: E[Y(39) | 2, 30.43, 38.86] = 1.226.
    expect(conditionalExpectedPurchases(params, customer, 39)).toBeCloseTo(1.226, 2);
    const alive = probabilityAlive(params, customer);
    expect(alive).toBeGreaterThan(0.5);
    expect(alive).toBeLessThan(1);
    expect(probabilityAlive(params, { frequency: 0, recency: 0, T: 38.86 })).toBe(1);
    const gg = { p: 6.25, q: 3.74, v: 15.44 };
    const avg = conditionalExpectedAverageValue(gg, { frequency: 2, monetary: 22.35 });
    // Between the population mean vp/(q−1) = 35.2 and the customer's own 22.35, nearer their own.
    expect(avg).toBeGreaterThan(22.35);
    expect(avg).toBeLessThan((15.44 * 6.25) / 2.74);
  });

  it('the summary built from the raw transactions is the published one', () => {
    // masterid,sampleid,date (YYYYMMDD),cds,sales
    const transactions: Transaction[] = csv('cdnowElog_BTYD.csv').map(([, id, d, , sales]) => ({
      customer: id,
      day: `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`,
      amount: Number(sales),
    }));
    const built = new Map(summarise(transactions, '1997-09-30').map((s) => [s.customer, s]));
    const want = published();
    expect(built.size).toBe(want.length);
    for (const w of want) {
      const got = built.get(w.id)!;
      expect(got.frequency).toBe(w.frequency);
      expect(Math.abs(got.recency - w.recency)).toBeLessThan(0.006);
      expect(Math.abs(got.T - w.T)).toBeLessThan(0.006);
      expect(Math.abs(got.monetary - w.monetary)).toBeLessThan(0.006);
    }
  });
});
