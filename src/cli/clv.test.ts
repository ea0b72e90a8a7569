import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../demo/rng';
import { TMP } from '../../test/db';
import { fitBgNbd } from '../modules/clv/bgnbd';
import { fitGammaGamma } from '../modules/clv/gamma-gamma';
import { bgnbdCustomer, spendSampler } from '../modules/clv/simulate';
import { summarise, type Transaction } from '../modules/clv/summary';

/** `santong clv fit` as an analyst runs it: a child process on a CSV, with no database to reach. */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'santong.js');
const CDNOW = [path.resolve(ROOT, '..', 'shared', 'data', 'cdnow'), '/work/shared/data/cdnow'].find((d) =>
  fs.existsSync(path.join(d, 'cdnowElog_BTYD.csv')),
);

let tmp: string;
let transactions: Transaction[];
let file: string;

async function run(args: string[]) {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, 'clv', 'fit', ...args], {
      cwd: ROOT,
      // Nothing it could connect to or unlock: the command must not need either.
      env: { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', SANTONG_MASTER_KEY: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const isoDay = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

beforeAll(() => {
  fs.mkdirSync(TMP, { recursive: true });
  tmp = fs.mkdtempSync(path.join(TMP, 'clv-'));
  // 1,500 BG/NBD customers acquired in the first half of 2024, in days, observed to 2024-12-31.
  const rng = new Rng(42);
  const start = Date.UTC(2024, 0, 1) / 86_400_000;
  const end = Date.UTC(2024, 11, 31) / 86_400_000;
  transactions = [];
  for (let i = 0; i < 1500; i++) {
    const first = start + rng.int(0, 181);
    const spend = spendSampler(rng, { p: 6, q: 4, v: 300 });
    const amount = () => Math.round(spend() * 100) / 100;
    const customer = `c${i}`;
    transactions.push({ customer, day: isoDay(first), amount: amount() });
    for (const t of bgnbdCustomer(rng, { r: 0.6, alpha: 60, a: 0.9, b: 3 }, end - first).times)
      transactions.push({ customer, day: isoDay(first + Math.floor(t)), amount: amount() });
  }
  // A purchase after the calibration end, in a timestamp format: read, then left out.
  const rows = transactions.map((t, i) => `${i % 3 ? t.day : t.day.replace(/-/g, '')},"${t.customer}",${t.amount}`);
  rows.push('2025-01-05T10:00:00+08:00,c0,99.5');
  file = path.join(tmp, 'sales.csv');
  fs.writeFileSync(file, ['placed_at,member,total', ...rows].join('\n') + '\n');
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const base = () => [
  '--transactions',
  file,
  '--customer-col',
  'member',
  '--date-col',
  'placed_at',
  '--amount-col',
  'total',
  '--calibration-end',
  '2024-12-31',
];

describe('santong clv fit', () => {
  it('prints one JSON object with the fits of the file’s summary and writes per-customer predictions', async () => {
    const out = path.join(tmp, 'clv.csv');
    const r = await run([...base(), '--time-unit', 'day', '--predict', '90', '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.stdout) as {
      bgnbd: Record<string, number>;
      gamma_gamma: Record<string, number>;
      customers: number;
    };
    expect(Object.keys(printed).sort()).toEqual(['bgnbd', 'customers', 'gamma_gamma']);
    const summary = summarise(transactions, '2024-12-31', 'day');
    const bg = fitBgNbd(summary);
    const gg = fitGammaGamma(summary);
    expect(printed.customers).toBe(1500);
    expect(printed.bgnbd).toEqual({ r: bg.r, alpha: bg.alpha, a: bg.a, b: bg.b, log_likelihood: bg.logLikelihood });
    expect(printed.gamma_gamma).toEqual({ p: gg.p, q: gg.q, v: gg.v });
    // Whole days instead of continuous time blur the fit a little, not much.
    expect(Math.abs(bg.r - 0.6) / 0.6).toBeLessThan(0.25);
    expect(Math.abs(bg.alpha - 60) / 60).toBeLessThan(0.25);

    const [header, ...rows] = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(header).toBe('customer,frequency,recency,T,p_alive,expected_purchases,expected_avg_value,expected_value');
    expect(rows).toHaveLength(1500);
    const c0 = summary.find((s) => s.customer === 'c0')!;
    const row0 = rows
      .find((l) => l.startsWith('c0,'))!
      .split(',')
      .map(Number);
    expect(row0.slice(1, 4)).toEqual([c0.frequency, c0.recency, c0.T]);
    for (const line of rows) {
      const [, , , , pAlive, purchases, avg, value] = line.split(',').map(Number);
      expect(pAlive).toBeGreaterThan(0);
      expect(pAlive).toBeLessThanOrEqual(1);
      expect(purchases).toBeGreaterThan(0);
      expect(value).toBeCloseTo(purchases * avg, 6);
    }
  });

  it('names what is wrong: options and columns (usage, exit 2), rows (exit 1)', async () => {
    const bad = path.join(tmp, 'bad.csv');
    fs.writeFileSync(bad, 'placed_at,member,total\n2024-01-02,a,10\n2024-02-30,a,12\n');
    // Each run starts a process: run them side by side.
    const [noEnd, column, unit, alone, r] = await Promise.all([
      run(base().slice(0, -2)),
      run([...base(), '--customer-col', 'phone']),
      run([...base(), '--time-unit', 'month']),
      run([...base(), '--predict', '30']),
      run(['--transactions', bad, ...base().slice(2)]),
    ]);
    expect(noEnd.code).toBe(2);
    expect(noEnd.stderr).toContain('--calibration-end');
    expect(column.code).toBe(2);
    expect(column.stderr).toContain('no column phone');
    expect(unit.code).toBe(2);
    expect(unit.stderr).toContain('--time-unit');
    expect(alone.code).toBe(2);
    expect(alone.stderr).toContain('--out');

    expect(r.code).toBe(1);
    expect(r.stderr).toContain('line 3: placed_at');
    expect(r.stdout).toBe('');
  });

  it.skipIf(!CDNOW)('reproduces the published CDNOW parameters from its raw transactions', async () => {
    const r = await run([
      '--transactions',
      path.join(CDNOW!, 'cdnowElog_BTYD.csv'),
      '--customer-col',
      'sampleid',
      '--date-col',
      'date',
      '--amount-col',
      'sales',
      '--calibration-end',
      '1997-09-30',
    ]);
    expect(r.code).toBe(0);
    const { bgnbd, gamma_gamma, customers } = JSON.parse(r.stdout) as {
      bgnbd: Record<string, number>;
      gamma_gamma: Record<string, number>;
      customers: number;
    };
    expect(customers).toBe(2357);
    expect(bgnbd.r).toBeCloseTo(0.243, 3);
    expect(bgnbd.alpha).toBeCloseTo(4.414, 2);
    expect(bgnbd.a).toBeCloseTo(0.793, 3);
    expect(bgnbd.b).toBeCloseTo(2.426, 2);
    expect(gamma_gamma.p).toBeCloseTo(6.25, 2);
    expect(gamma_gamma.q).toBeCloseTo(3.74, 2);
    expect(Math.abs(gamma_gamma.v - 15.44) / 15.44).toBeLessThan(0.001);
  });
});
