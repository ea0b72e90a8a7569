import { href } from '../../router';

/** A product by its name (the SKU small beside it), linking to its forecast at a location. */
export function SkuLink({ sku, name, locationId }: { sku: string; name: string; locationId: string }) {
  return (
    <a href={href('replenishment', locationId, 'forecast', sku)} data-testid="forecast-link">
      {name} <span className="mono muted small">{sku}</span>
    </a>
  );
}
