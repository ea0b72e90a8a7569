import type { ModelName } from './methods';
import { forecastSku, type SeriesForecast, type SeriesInput } from './panel';

/**
 * A chunk of SKUs as it crosses to a fitting thread and back: flat typed arrays (transferred, not
 * copied) instead of thousands of small objects. Location names stay on the main side; a SKU's
 * series go in the order stores…, chain and come back in that order.
 */

export interface SkuSeries {
  stores: SeriesInput[];
  chain: SeriesInput;
}

export interface ChunkRequest {
  horizon: number;
  /** Series per SKU (its stores and the chain total, which is last). */
  perSku: Int32Array;
  start: Int32Array;
  length: Int32Array;
  /** Every series' units, one after another. */
  units: Float64Array;
  /** 1 when the series has an uplift (units.length + horizon values in `uplift`, in series order). */
  hasUplift: Uint8Array;
  uplift: Float64Array;
}

export interface ChunkReply {
  /** Per series: its index in MODELS. */
  model: Uint8Array;
  /** Per series, horizon values each of mean, sd, lo, hi (in that order). */
  values: Float64Array;
}

const MODELS: readonly ModelName[] = ['ets', 'tsb', 'croston_sba'];

const seriesOf = (s: SkuSeries) => [...s.stores, s.chain];

export function packChunk(skus: readonly SkuSeries[], horizon: number): ChunkRequest {
  const all = skus.flatMap(seriesOf);
  let unitsLength = 0;
  let upliftLength = 0;
  for (const s of all) {
    unitsLength += s.units.length;
    if (s.uplift) upliftLength += s.units.length + horizon;
  }
  const req: ChunkRequest = {
    horizon,
    perSku: Int32Array.from(skus, (s) => s.stores.length + 1),
    start: Int32Array.from(all, (s) => s.start),
    length: Int32Array.from(all, (s) => s.units.length),
    units: new Float64Array(unitsLength),
    hasUplift: Uint8Array.from(all, (s) => (s.uplift ? 1 : 0)),
    uplift: new Float64Array(upliftLength),
  };
  let u = 0;
  let v = 0;
  for (const s of all) {
    req.units.set(s.units, u);
    u += s.units.length;
    if (s.uplift) {
      req.uplift.set(s.uplift.subarray(0, s.units.length + horizon), v);
      v += s.units.length + horizon;
    }
  }
  return req;
}

export const requestBuffers = (r: ChunkRequest): ArrayBuffer[] =>
  [r.perSku, r.start, r.length, r.units, r.hasUplift, r.uplift].map((a) => a.buffer as ArrayBuffer);

export const replyBuffers = (r: ChunkReply): ArrayBuffer[] => [
  r.model.buffer as ArrayBuffer,
  r.values.buffer as ArrayBuffer,
];

/** The fitting thread's work: every SKU of the chunk through forecastSku, exactly as on the main thread. */
export function fitChunk(req: ChunkRequest): ChunkReply {
  const H = req.horizon;
  const n = req.start.length;
  const model = new Uint8Array(n);
  const values = new Float64Array(n * 4 * H);
  let i = 0;
  let u = 0;
  let v = 0;
  for (const count of req.perSku) {
    const inputs: SeriesInput[] = [];
    for (let k = 0; k < count; k++, i++) {
      const len = req.length[i];
      const input: SeriesInput = { location: '', start: req.start[i], units: req.units.subarray(u, u + len) };
      u += len;
      if (req.hasUplift[i]) {
        input.uplift = req.uplift.subarray(v, v + len + H);
        v += len + H;
      }
      inputs.push(input);
    }
    const out = forecastSku(inputs.slice(0, -1), inputs.at(-1)!, H);
    out.forEach((f, k) => {
      const j = i - count + k;
      model[j] = MODELS.indexOf(f.model);
      [f.mean, f.sd, f.lo, f.hi].forEach((a, c) => values.set(a, (j * 4 + c) * H));
    });
  }
  return { model, values };
}

/** A reply as each SKU's forecasts (views on the reply's buffer), locations from the inputs. */
export function unpackChunk(skus: readonly SkuSeries[], reply: ChunkReply, horizon: number): SeriesForecast[][] {
  let j = 0;
  return skus.map((s) =>
    seriesOf(s).map((input) => {
      const at = (c: number) => reply.values.subarray((j * 4 + c) * horizon, (j * 4 + c + 1) * horizon);
      const f = {
        location: input.location,
        model: MODELS[reply.model[j]],
        mean: at(0),
        sd: at(1),
        lo: at(2),
        hi: at(3),
      };
      j++;
      return f;
    }),
  );
}
