import type { Role } from '../../api';
import { useI18n, type MessageKey } from '../../i18n';
import { locationLabel, useLocations } from '../../locations';

/** The role and store pickers of a new key or staff account (testId: the form's prefix, e.g. new-key). */
export function RoleFields({
  roles,
  role,
  onRole,
  location,
  onLocation,
  testId,
}: {
  roles: readonly Role[];
  role: Role;
  onRole: (r: Role) => void;
  location: string;
  onLocation: (id: string) => void;
  testId: string;
}) {
  const { t, lang } = useI18n();
  const { list: locations, byId } = useLocations();
  return (
    <>
      <label className="field">
        <span>{t('settings.role')}</span>
        <select value={role} onChange={(e) => onRole(e.target.value as Role)} data-testid={`${testId}-role`}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}` as MessageKey)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>
          {t('settings.location')} {role !== 'store_staff' && <small className="muted">{t('settings.optional')}</small>}
        </span>
        <select value={location} onChange={(e) => onLocation(e.target.value)} data-testid={`${testId}-location`}>
          <option value="">{t('common.none')}</option>
          {locations.map((l) => (
            <option key={l.id} value={l.id}>
              {locationLabel(byId, l.id, lang)}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}
