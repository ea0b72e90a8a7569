import { describe, expect, it } from 'vitest';
import { crostonSba, forecastSeries, holtDamped, tsb, weekdayIndices } from './methods';

/** Methods on synthetic series whose answers are known in closed form. */
describe('forecast methods', () => {
  it('weekday indices recover a known weekly profile and stay 1 on no sales', () => {
    const profile = [1, 1, 1, 1, 1.5, 2, 0.5]; // mean 8/7
    const y = new Float64Array(70 * 7).map((_, t) => 10 * profile[t % 7]);
    const s = weekdayIndices(y, 0, 0);
    for (let w = 0; w < 7; w++) expect(s[w]).toBeCloseTo((profile[w] * 7) / 8, 9);
    // starting on a Friday (4) rotates the profile
    const shifted = weekdayIndices(y, 4, 0);
    expect(shifted[4]).toBeCloseTo(7 / 8, 9);
    expect([...weekdayIndices(new Float64Array(14), 0)]).toEqual(new Array(7).fill(1));
  });

  it('Holt damped: a constant stays constant with no error; a line is followed', () => {
    const c = holtDamped(new Float64Array(50).fill(4), 0.3, 0, 1, 5);
    for (let h = 0; h < 5; h++) {
      expect(c.mean[h]).toBeCloseTo(4, 12);
      expect(c.sd[h]).toBeCloseTo(0, 12);
    }
    // y_t = 10 + 2t, undamped trend with strong smoothing: the forecast continues the line
    const line = new Float64Array(200).map((_, t) => 10 + 2 * t);
    const f = holtDamped(line, 0.9, 0.9, 1, 3);
    expect(f.mean[0]).toBeCloseTo(10 + 2 * 200, 1);
    expect(f.mean[2]).toBeCloseTo(10 + 2 * 202, 1);
  });

  it('Holt: the h-step sd grows as σ²(1 + (h − 1)α²) for SES', () => {
    const y = new Float64Array(400).map((_, t) => 5 + (t % 2 === 0 ? 1 : -1));
    const f = holtDamped(y, 0.2, 0, 1, 3);
    const s1 = f.sd[0];
    expect(f.sd[1]).toBeCloseTo(s1 * Math.sqrt(1 + 0.04), 9);
    expect(f.sd[2]).toBeCloseTo(s1 * Math.sqrt(1 + 0.08), 9);
  });

  it('TSB and Croston-SBA: a sale of 6 every 3rd day is 2 a day (SBA: × (1 − α/2))', () => {
    const y = new Float64Array(300).map((_, t) => (t % 3 === 2 ? 6 : 0));
    // p moves by β each day around 1/3: a small β keeps the end-of-series wobble small
    expect(Math.abs(tsb(y, 0.1, 0.02, 2).mean[0] - 2)).toBeLessThan(0.1);
    expect(crostonSba(y, 0.1, 2).mean[0]).toBeCloseTo(2 * 0.95, 9);
    expect(crostonSba(new Float64Array(10), 0.1, 1).mean[0]).toBe(0);
  });

  it('forecastSeries: weekday pattern, events and the intermittent choice', () => {
    const profile = [1, 1, 1, 1, 1.5, 2, 0.5];
    const y = new Float64Array(700).map((_, t) => 7 * profile[t % 7]);
    const f = forecastSeries(y, { horizon: 14, weekday0: 0 });
    expect(f.model).toBe('ets');
    // 700 days from a Monday: day 700 is a Monday again; the indices' shrinkage (2 pseudo-days of
    // 100) keeps each within 3 % of the true profile
    for (let h = 0; h < 14; h++) expect(Math.abs(f.mean[h] / (7 * profile[h % 7]) - 1)).toBeLessThan(0.03);

    // an event doubling demand on days 100–106 (history) and forecast day 2 (index 142)
    const uplift = new Float64Array(140 + 14).fill(1);
    const z = new Float64Array(140).fill(3);
    for (let t = 100; t < 107; t++) {
      uplift[t] = 2;
      z[t] = 6;
    }
    uplift[142] = 2;
    const e = forecastSeries(z, { horizon: 14, weekday0: 0, uplift });
    expect(e.mean[0]).toBeCloseTo(3, 6);
    expect(e.mean[2]).toBeCloseTo(6, 6);

    const slow = new Float64Array(364).map((_, t) => (t % 9 === 4 ? 9 : 0));
    const g = forecastSeries(slow, { horizon: 7, weekday0: 0 });
    expect(['tsb', 'croston_sba']).toContain(g.model);
    const weekly = g.mean.reduce((a, b) => a + b, 0);
    expect(weekly).toBeGreaterThan(7 * 0.7);
    expect(weekly).toBeLessThan(7 * 1.3);
    expect(g.sd.every((v) => v > 0)).toBe(true);
  });
});
