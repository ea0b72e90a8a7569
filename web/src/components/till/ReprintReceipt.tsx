import { useState } from 'react';
import type { OrderDetail } from '../../api';
import { useI18n } from '../../i18n';
import { PrintableReceipt } from './PrintableReceipt';

/** An in-store order's receipt again (order detail): shown, and so printable, only once asked for. */
export function ReprintReceipt({ order, storeName }: { order: OrderDetail; storeName: string }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  if (open) return <PrintableReceipt order={order} storeName={storeName} />;
  return (
    <button type="button" className="btn btn-small" onClick={() => setOpen(true)} data-testid="order-receipt-open">
      {t('receipt.print')}
    </button>
  );
}
