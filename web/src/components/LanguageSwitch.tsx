import { LANGUAGES, useI18n, type Lang } from '../i18n';

const LABELS: Record<Lang, string> = { 'zh-CN': '中文', en: 'English' };

/** Two buttons, each language named in itself, so it can be found whichever is shown. */
export function LanguageSwitch({ className }: { className?: string }) {
  const { lang, setLang, t } = useI18n();
  return (
    <div className={'segmented' + (className ? ' ' + className : '')} role="group" aria-label={t('nav.language')}>
      {LANGUAGES.map((l) => (
        <button
          key={l}
          type="button"
          lang={l}
          aria-pressed={lang === l}
          className={lang === l ? 'active' : ''}
          onClick={() => setLang(l)}
          data-testid={`lang-${l}`}
        >
          {LABELS[l]}
        </button>
      ))}
    </div>
  );
}
