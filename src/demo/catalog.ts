import { DEMO_CATEGORIES, DEMO_LOCATIONS } from './retailer';
import { Rng } from './rng';
import { row } from './csv';

export interface DemoProduct {
  sku: string;
  name: string;
  category: string;
  list_price: number;
  /** unit cost (fen): 55–80 % of the list price; null for a few SKUs (their margin settles on net sales) */
  cost_price: number | null;
  /** an EAN-13 in the 69x (China) range, derived from the SKU's number */
  barcode: string;
  channels: string[];
}

/** The EAN-13 of a demo SKU number: 69 + a company part + the number, and the check digit. */
export function demoBarcode(n: number): string {
  const body = `6901234${String(n).padStart(5, '0')}`;
  const sum = [...body].reduce((t, d, i) => t + Number(d) * (i % 2 ? 3 : 1), 0);
  return body + String((10 - (sum % 10)) % 10);
}

const ALL_CHANNELS = ['app', 'mini_program', 'web', 'pos', 'group_buy'];

/** ~500 SKUs across the six categories, prices in fen rounded to x.90 yuan. */
export function demoProducts(seed: number, count = 500): DemoProduct[] {
  const rng = new Rng(seed ^ 0x5eed01);
  const cats = Object.entries(DEMO_CATEGORIES);
  const totalWeight = cats.reduce((t, [, c]) => t + c.weight, 0);
  const out: DemoProduct[] = [];
  let n = 0;
  for (const [category, c] of cats) {
    const quota = Math.round((count * c.weight) / totalWeight);
    const seen = new Set<string>();
    for (let i = 0; i < quota * 4 && seen.size < quota; i++) {
      const [item, lo, hi] = rng.pick(c.items);
      const brand = rng.pick(c.brands);
      const variant = rng.pick(c.variants);
      const name = `${brand} ${item} ${variant}`;
      if (seen.has(name)) continue;
      seen.add(name);
      n++;
      const price = Math.max(190, Math.round(rng.int(lo, hi) / 100) * 100 - 10);
      // A few SKUs are exclusive to one channel group, as retailers do.
      const channels = rng.chance(0.03) ? ['app', 'mini_program'] : rng.chance(0.03) ? ['pos'] : ALL_CHANNELS;
      out.push({
        sku: `SKU${String(n).padStart(5, '0')}`,
        name,
        category,
        list_price: price,
        cost_price: null,
        barcode: demoBarcode(n),
        channels,
      });
    }
  }
  // Unit costs from their own stream, so the rest of the demo is what it was before costs existed.
  const costs = new Rng(seed ^ 0xc057);
  for (const p of out) p.cost_price = costs.chance(0.05) ? null : Math.round((p.list_price * costs.int(55, 80)) / 100);
  return out;
}

export function locationsCsv(): string {
  return DEMO_LOCATIONS.map((l) =>
    row([
      l.id,
      l.name,
      l.type,
      l.lat,
      l.lng,
      'Asia/Shanghai',
      l.address,
      l.opening_hours ? JSON.stringify(l.opening_hours) : null,
      l.can_ship,
      l.can_pickup,
      l.local_delivery_km,
    ]),
  ).join('');
}
export const LOCATION_COLUMNS = [
  'id',
  'name',
  'type',
  'lat',
  'lng',
  'timezone',
  'address',
  'opening_hours',
  'can_ship',
  'can_pickup',
  'local_delivery_km',
];

export function productsCsv(products: DemoProduct[]): string {
  return products
    .map((p) => row([p.sku, p.name, p.category, p.list_price, p.cost_price, p.barcode, p.channels, '{}']))
    .join('');
}
export const PRODUCT_COLUMNS = [
  'sku',
  'name',
  'category',
  'list_price',
  'cost_price',
  'barcode',
  'channels',
  'attributes',
];

/** One location's stock of one SKU as the demo opens it. */
export interface DemoStockRow {
  location_id: string;
  sku: string;
  on_hand: number;
  safety_stock: number;
}

/**
 * The range and stock per location as generated: the DC carries everything but fresh food; each
 * store ~70% of the range, some at zero. Routing the history's orders reads it; once the history
 * is loaded, demoStockLevels (stock.ts) sets the figures on hand from the sales.
 */
export function demoStock(seed: number, products: DemoProduct[]): DemoStockRow[] {
  const rng = new Rng(seed ^ 0x570c);
  const out: DemoStockRow[] = [];
  for (const l of DEMO_LOCATIONS) {
    for (const p of products) {
      if (l.type === 'dc') {
        if (p.category === 'fresh') continue;
        out.push({ location_id: l.id, sku: p.sku, on_hand: rng.int(200, 2000), safety_stock: 0 });
      } else if (rng.chance(0.7)) {
        const onHand = rng.chance(0.08) ? 0 : rng.int(1, p.category === 'appliances' ? 12 : 60);
        out.push({ location_id: l.id, sku: p.sku, on_hand: onHand, safety_stock: rng.int(1, 3) });
      }
    }
  }
  return out;
}

export function stockCsv(rows: DemoStockRow[]): string {
  return rows.map((r) => row([r.location_id, r.sku, r.on_hand, 0, r.safety_stock])).join('');
}
export const STOCK_COLUMNS = ['location_id', 'sku', 'on_hand', 'reserved', 'safety_stock'];
