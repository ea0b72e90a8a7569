/**
 * `santong forecast backtest`: the forecast model and two baselines scored on any sales history
 * (a CSV, plain or gzip), for analysts. Needs no database: it reads the file and prints one JSON
 * object (definitions in src/modules/forecasts/backtest.ts).
 */
import { parseArgs } from 'node:util';
import { ImportFileError, ImportUsageError, openCsv } from '../modules/imports/csv';
import {
  modelForecaster,
  movingAverage28,
  score,
  seasonalNaive7,
  type BacktestSeries,
} from '../modules/forecasts/backtest';
import { dayNumber } from '../modules/forecasts/days';
import { columnIndex, writtenDay } from './csv-columns';

/** The day number of a date as written (writtenDay), or null. */
function dayOf(raw: string): number | null {
  const day = writtenDay(raw);
  return day === null ? null : dayNumber(day);
}

interface Columns {
  sku: string;
  date: string;
  qty: string;
  location?: string;
}

/** Units sold per series key and day number (rows with qty > 0 only). */
async function readSales(file: string, columns: Columns): Promise<Map<string, Map<number, number>>> {
  const csv = await openCsv(file);
  const index = (name: string, option: string) => columnIndex(csv, file, name, option);
  const si = index(columns.sku, 'sku-col');
  const di = index(columns.date, 'date-col');
  const qi = index(columns.qty, 'qty-col');
  const li = columns.location === undefined ? -1 : index(columns.location, 'location-col');
  const sales = new Map<string, Map<number, number>>();
  for await (const { line, values } of csv.records) {
    const qtyText = (values[qi] ?? '').trim();
    const qty = Number(qtyText);
    if (qtyText === '' || !Number.isFinite(qty))
      throw new ImportFileError(`line ${line}: ${columns.qty}: "${qtyText}" is not a number`);
    if (qty <= 0) continue;
    const day = dayOf(values[di] ?? '');
    if (day === null)
      throw new ImportFileError(`line ${line}: ${columns.date}: "${values[di] ?? ''}" is not a date (YYYY-MM-DD)`);
    const sku = (values[si] ?? '').trim();
    if (!sku) throw new ImportFileError(`line ${line}: ${columns.sku}: empty SKU`);
    const key = li < 0 ? sku : `${sku}\u0000${(values[li] ?? '').trim()}`;
    let days = sales.get(key);
    if (!days) sales.set(key, (days = new Map()));
    days.set(day, (days.get(day) ?? 0) + qty);
  }
  return sales;
}

/** The `top` series by units sold up to the cutoff, as daily arrays from each one's first sale. */
function topSeries(
  sales: Map<string, Map<number, number>>,
  cutoff: number,
  horizon: number,
  top: number,
): BacktestSeries[] {
  const ranked: { days: Map<number, number>; units: number; first: number; key: string }[] = [];
  for (const [key, days] of sales) {
    let units = 0;
    let first = Infinity;
    for (const [d, q] of days)
      if (d <= cutoff) {
        units += q;
        first = Math.min(first, d);
      }
    if (units > 0) ranked.push({ days, units, first, key });
  }
  ranked.sort((a, b) => b.units - a.units || (a.key < b.key ? -1 : 1));
  return ranked.slice(0, top).map(({ days, first }) => {
    const units = new Float64Array(cutoff + horizon - first + 1);
    for (const [d, q] of days) if (d >= first && d - first < units.length) units[d - first] += q;
    return { start: first, units };
  });
}

export async function forecastBacktestCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      orders: { type: 'string' },
      'sku-col': { type: 'string' },
      'date-col': { type: 'string' },
      'qty-col': { type: 'string' },
      'location-col': { type: 'string' },
      cutoff: { type: 'string' },
      horizon: { type: 'string', default: '28' },
      top: { type: 'string', default: '200' },
    },
  });
  for (const o of ['orders', 'sku-col', 'date-col', 'qty-col', 'cutoff'] as const)
    if (!values[o]) throw new ImportUsageError(`forecast backtest needs --${o}`);
  const cutoff = dayNumber(values.cutoff!);
  if (cutoff === null) throw new ImportUsageError('--cutoff must be a date YYYY-MM-DD');
  const horizon = Number(values.horizon);
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > 366)
    throw new ImportUsageError('--horizon must be a whole number of days, 1 to 366');
  const top = Number(values.top);
  if (!Number.isInteger(top) || top < 1) throw new ImportUsageError('--top must be a positive whole number');

  const sales = await readSales(values.orders!, {
    sku: values['sku-col']!,
    date: values['date-col']!,
    qty: values['qty-col']!,
    location: values['location-col'],
  });
  const series = topSeries(sales, cutoff, horizon, top);
  if (series.length === 0) throw new ImportFileError(`nothing was sold by ${values.cutoff}: no series to score`);
  const model = score(series, cutoff, horizon, modelForecaster);
  const naive = score(series, cutoff, horizon, seasonalNaive7);
  const ma = score(series, cutoff, horizon, movingAverage28);
  process.stdout.write(
    JSON.stringify({
      series: series.length,
      cutoff: values.cutoff,
      horizon,
      model: { name: 'santong_auto', wmape: model.wmape, mase: model.mase, bias: model.bias },
      baselines: [
        { name: 'seasonal_naive_7', wmape: naive.wmape, mase: naive.mase },
        { name: 'moving_average_28', wmape: ma.wmape, mase: ma.mase },
      ],
    }) + '\n',
  );
}
