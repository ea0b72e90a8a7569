import { useState, type FormEvent } from 'react';
import { useAction } from '../hooks';
import { useI18n } from '../i18n';
import { can, useMe } from '../me';
import { useApi } from '../session';
import { TAG_PATTERN } from './CustomerBits';
import { ActionError } from './Status';

/** The person's manual tags, with add and remove for the roles that may (admin, marketer, support). */
export function TagEditor({
  customerId,
  tags,
  onChanged,
}: {
  customerId: string;
  tags: string[];
  onChanged: () => void;
}) {
  const { t } = useI18n();
  const api = useApi();
  const me = useMe();
  const action = useAction();
  const [tag, setTag] = useState('');
  const [invalid, setInvalid] = useState(false);
  const editable = can(me, 'tagCustomer');
  const path = (x: string) => `/v1/customers/${encodeURIComponent(customerId)}/tags/${encodeURIComponent(x)}`;

  async function add(e: FormEvent) {
    e.preventDefault();
    const v = tag.trim();
    if (!v) return;
    if (!TAG_PATTERN.test(v)) return setInvalid(true);
    setInvalid(false);
    if (await action.run(() => api.put(path(v), undefined))) {
      setTag('');
      onChanged();
    }
  }

  async function remove(x: string) {
    if (await action.run(() => api.del(path(x)))) onChanged();
  }

  return (
    <div className="tag-editor" data-testid="tag-editor">
      {tags.length === 0 ? (
        <p className="muted small">{t('profile.noTags')}</p>
      ) : (
        <div className="chips">
          {tags.map((x) => (
            <span key={x} className="chip chip-tag" data-testid="tag" data-tag={x}>
              {x}
              {editable && (
                <button
                  type="button"
                  className="chip-remove"
                  onClick={() => remove(x)}
                  disabled={action.busy}
                  aria-label={t('profile.removeTag', { tag: x })}
                  title={t('profile.removeTag', { tag: x })}
                  data-testid={`tag-remove-${x}`}
                >
                  ×
                </button>
              )}
            </span>
          ))}
        </div>
      )}
      {editable && (
        <form className="inline-form" onSubmit={add} noValidate>
          <input
            value={tag}
            maxLength={64}
            placeholder={t('profile.tagPlaceholder')}
            aria-label={t('profile.tagPlaceholder')}
            onChange={(e) => setTag(e.target.value)}
            data-testid="tag-input"
          />
          <button type="submit" className="btn btn-small" disabled={action.busy || !tag.trim()} data-testid="tag-add">
            {t('profile.addTag')}
          </button>
        </form>
      )}
      {invalid && (
        <div className="status status-error form-error" role="alert">
          {t('profile.tagInvalid')}
        </div>
      )}
      <ActionError error={action.error} testId="tag-error" />
    </div>
  );
}
