import { PageHeader, Panel } from '../components/PageHeader';
import { StoreStockTable } from '../components/stock/StoreStockTable';
import { localName } from '../format';
import { useI18n } from '../i18n';
import { useLocations } from '../locations';
import { href } from '../router';

/** 门店库存: every SKU at one store. #/stores/<location id>/stock, from the store's page, Stores and Inventory. */
export function StoreStock({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const { byId } = useLocations();
  const store = byId.get(id);
  return (
    <>
      <PageHeader
        title={t('storeStock.title')}
        subtitle={store ? localName(store.name, lang) : id}
        actions={
          <a className="btn" href={href('stores')} data-testid="store-stock-back">
            {t('score.back')}
          </a>
        }
      />
      <Panel>
        <StoreStockTable location={id} />
      </Panel>
    </>
  );
}
