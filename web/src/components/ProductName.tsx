import type { Product } from '../api';
import { useResource } from '../hooks';

/** A SKU's product name, once loaded (nothing while loading or if the product is gone). */
export function ProductName({ sku }: { sku: string }) {
  const { data } = useResource<Product>(`/v1/products/${encodeURIComponent(sku)}`);
  return data ? <span className="product-name">{data.name}</span> : null;
}
