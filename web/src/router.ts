import { useEffect, useState } from 'react';

/**
 * The console's pages, in sidebar order; the route is the hash: #/orders, #/orders/<id>, #/store/<location id>,
 * #/customers/<customer id>, #/audit/<subject>, #/loyalty/<tab>/<template id>, #/till.
 */
export const PAGES = [
  'dashboard',
  'customers',
  'orders',
  'store',
  'till',
  'inventory',
  'replenishment',
  'stores',
  'settlements',
  'groupbuy',
  'loyalty',
  'marketing',
  'reviews',
  'presales',
  'audit',
  'security',
  'settings',
] as const;
export type PageName = (typeof PAGES)[number];

export interface Route {
  /** null: a hash that names no page. */
  page: PageName | null;
  /** The rest of the path, decoded: ['ord_123'] for #/orders/ord_123. */
  params: string[];
}

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#\/?/, '').split('?')[0];
  const [first = '', ...rest] = path.split('/').filter(Boolean);
  if (first === '') return { page: 'dashboard', params: [] };
  const page = (PAGES as readonly string[]).includes(first) ? (first as PageName) : null;
  return {
    page,
    params: rest.map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    }),
  };
}

export function href(page: PageName, ...params: string[]): string {
  return '#/' + [page, ...params.map(encodeURIComponent)].join('/');
}

export function navigate(page: PageName, ...params: string[]): void {
  window.location.hash = href(page, ...params);
}

/** The current route, following hash changes (back and forward included). */
export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseHash(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
