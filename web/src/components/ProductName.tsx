import type { Product } from '../api';
import { useResource } from '../hooks';
import { href } from '../router';

/** A SKU's product name, once loaded (nothing while loading or if the product is gone). */
export function ProductName({ sku }: { sku: string }) {
  const { data } = useResource<Product>(`/v1/products/${encodeURIComponent(sku)}`);
  return data ? <span className="product-name">{data.name}</span> : null;
}

/**
 * A product as a store manager reads it: its name (from the API, beside the SKU), the SKU small
 * underneath, linking to its stock. Just the SKU when the product left the catalogue.
 */
export function SkuWithName({ sku, name, link = true }: { sku: string; name: string | null; link?: boolean }) {
  const code = <span className="mono muted small">{sku}</span>;
  return (
    <span className="sku-name" data-testid="sku-name">
      {name && <span className="product-name">{name}</span>}
      {link ? (
        <a className="mono small" href={href('inventory', sku)}>
          {sku}
        </a>
      ) : (
        code
      )}
    </span>
  );
}
