import type { Location } from '../api';
import { localName } from '../format';
import { translateValue, useI18n } from '../i18n';
import { navigate, type PageName } from '../router';

/** The store a page works for, for roles not bound to one store (admins): picking one navigates to it. */
export function StorePicker({
  page,
  location,
  stores,
  withType = false,
  testId,
}: {
  page: PageName;
  location: string | null;
  stores: Location[];
  withType?: boolean;
  testId: string;
}) {
  const { t, lang } = useI18n();
  return (
    <label className="field-inline">
      <span>{t('store.location')}</span>
      <select
        className="select-big"
        value={location ?? ''}
        onChange={(e) => (e.target.value ? navigate(page, e.target.value) : navigate(page))}
        data-testid={testId}
      >
        <option value="">{t('store.choose')}</option>
        {stores.map((l) => (
          <option key={l.id} value={l.id}>
            {localName(l.name, lang)}
            {withType && <> · {translateValue(t, 'locationType', l.type)}</>}
          </option>
        ))}
      </select>
    </label>
  );
}
