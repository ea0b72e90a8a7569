import type { Location } from '../api';
import { translateValue, useI18n, type Lang, type Translate } from '../i18n';
import { locationLabel } from '../locations';

/** A tag as the API takes it: no leading space, no comma, at most 64 characters. */
export const TAG_PATTERN = /^[^\s,][^,]{0,63}$/;

/** Known (someone identified) or anonymous (a device or visitor only). */
export function KindBadge({ kind }: { kind: string }) {
  const { t } = useI18n();
  return (
    <span className={'badge ' + (kind === 'known' ? 'badge-ok' : 'badge-muted')}>
      {translateValue(t, 'kind', kind)}
    </span>
  );
}

/** Identifiers as chips: type and masked value, or "hidden" for roles that may not see them. */
export function IdentifierChips({ identifiers }: { identifiers: { type: string; masked: string | null }[] }) {
  const { t } = useI18n();
  if (identifiers.length === 0) return <span className="muted">{t('common.none')}</span>;
  return (
    <div className="chips">
      {identifiers.map((i, n) => (
        <span key={i.type + n} className="chip" data-testid="identifier-chip" data-type={i.type}>
          <span className="chip-key">{translateValue(t, 'identifier', i.type)}</span>
          {i.masked === null ? (
            <em className="muted">{t('common.hidden')}</em>
          ) : (
            <span className="mono">{i.masked}</span>
          )}
        </span>
      ))}
    </div>
  );
}

export function TagChips({ tags }: { tags: string[] }) {
  const { t } = useI18n();
  if (tags.length === 0) return <span className="muted">{t('common.none')}</span>;
  return (
    <div className="chips">
      {tags.map((tag) => (
        <span key={tag} className="chip chip-tag">
          {tag}
        </span>
      ))}
    </div>
  );
}

/** A trait's value for display: genders and home stores in words, masked personal traits as they come. */
export function traitValue(t: Translate, lang: Lang, byId: Map<string, Location>, key: string, value: unknown): string {
  if (value === null || value === undefined) return t('common.none');
  if (key === 'gender' && typeof value === 'string') return translateValue(t, 'gender', value);
  if (key === 'home_store' && typeof value === 'string') return locationLabel(byId, value, lang);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
