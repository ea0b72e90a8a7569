export interface PricedLine {
  line_no: number;
  sku: string;
  name: string;
  category: string;
  qty: number;
  unit_price: number;
  discount: number;
  amount: number;
}

export interface Totals {
  subtotal: number;
  discount: number;
  delivery_fee: number;
  total: number;
}

/** Delivery fee in fen by speed, waived from this subtotal on. */
export const DELIVERY_FEES = { hour: 900, same_day: 700, standard: 600 } as const;
export const FREE_DELIVERY_FROM = 9900;

/** List price × qty, the same for every customer in every channel (no personalised prices). */
export function priceLines(lines: { sku: string; qty: number }[], products: Map<string, { name: string; category: string; list_price: number }>): PricedLine[] {
  return lines.map((l, i) => {
    const p = products.get(l.sku)!;
    return { line_no: i + 1, sku: l.sku, name: p.name, category: p.category, qty: l.qty, unit_price: p.list_price, discount: 0, amount: p.list_price * l.qty };
  });
}

export function totalsOf(lines: PricedLine[], speed: keyof typeof DELIVERY_FEES | null): Totals {
  const subtotal = lines.reduce((t, l) => t + l.unit_price * l.qty, 0);
  const discount = lines.reduce((t, l) => t + l.discount, 0);
  const delivery_fee = speed && subtotal - discount < FREE_DELIVERY_FROM ? DELIVERY_FEES[speed] : 0;
  return { subtotal, discount, delivery_fee, total: subtotal - discount + delivery_fee };
}

/** Refund for returning `k` more units of a line of which `r` were already returned: exact in fen, summing to the line amount. */
export function refundFor(amount: number, qty: number, alreadyReturned: number, k: number): number {
  return Math.floor((amount * (alreadyReturned + k)) / qty) - Math.floor((amount * alreadyReturned) / qty);
}
