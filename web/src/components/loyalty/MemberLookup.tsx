import { useState, type FormEvent } from 'react';
import { ApiError, type Profile } from '../../api';
import { useAction } from '../../hooks';
import { useI18n } from '../../i18n';
import { useApi } from '../../session';
import { ActionError } from '../Status';

export type LookupType = 'phone' | 'member_card' | 'id';
/** What the member was found by, as typed (the till verifies a new link through it). */
export interface FoundBy {
  type: LookupType;
  value: string;
}

/**
 * Finds one person by phone, member card or customer id (exact match: GET /v1/customers/lookup or
 * GET /v1/customers/:id) and hands their profile over; "not found" is said in words.
 */
export function MemberLookup({
  types = ['phone', 'member_card', 'id'],
  onFound,
  testId,
  big,
  autoFocus,
}: {
  types?: LookupType[];
  onFound: (p: Profile, by: FoundBy) => void;
  testId: string;
  big?: boolean;
  autoFocus?: boolean;
}) {
  const { t } = useI18n();
  const api = useApi();
  const action = useAction();
  const [type, setType] = useState<LookupType>(types[0]);
  const [value, setValue] = useState('');
  const [missing, setMissing] = useState(false);

  async function find(e: FormEvent) {
    e.preventDefault();
    const v = value.trim();
    if (!v) return;
    setMissing(false);
    const found = await action.run(async () => {
      try {
        return type === 'id'
          ? await api.get<Profile>(`/v1/customers/${encodeURIComponent(v)}`)
          : await api.get<Profile>('/v1/customers/lookup', { type, value: v });
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    });
    if (found === null) setMissing(true);
    else if (found) onFound(found, { type, value: v });
  }

  return (
    <form
      className={'inline-form member-lookup' + (big ? ' member-lookup-big' : '')}
      onSubmit={find}
      noValidate
      data-testid={testId}
    >
      {types.length > 1 && (
        <select
          value={type}
          onChange={(e) => setType(e.target.value as LookupType)}
          aria-label={t('loyalty.lookup.type')}
          data-testid={`${testId}-type`}
        >
          {types.map((ty) => (
            <option key={ty} value={ty}>
              {t(`loyalty.lookup.${ty}`)}
            </option>
          ))}
        </select>
      )}
      <input
        value={value}
        inputMode={type === 'phone' ? 'tel' : undefined}
        placeholder={t(`loyalty.lookup.${type}Placeholder`)}
        aria-label={t(`loyalty.lookup.${type}`)}
        autoFocus={autoFocus}
        onChange={(e) => {
          setValue(e.target.value);
          setMissing(false);
        }}
        data-testid={`${testId}-value`}
      />
      <button type="submit" className="btn" disabled={action.busy || !value.trim()} data-testid={`${testId}-submit`}>
        {action.busy ? t('common.loading') : t('loyalty.lookup.find')}
      </button>
      {missing && (
        <div className="status status-info form-error" role="status" data-testid={`${testId}-missing`}>
          {t('loyalty.lookup.notFound')}
        </div>
      )}
      <ActionError error={action.error} testId={`${testId}-error`} />
    </form>
  );
}
