import { useEffect, useId, useRef, type ReactNode } from 'react';
import { useI18n } from '../i18n';

/**
 * A modal dialog over the page (confirmations, a reason to give, a strong confirmation). Escape and
 * the backdrop close it; focus moves into it when it opens and back where it was when it closes.
 */
export function Dialog({
  title,
  children,
  onClose,
  testId,
  tone,
}: {
  title: string;
  children: ReactNode;
  onClose: () => void;
  testId?: string;
  tone?: 'danger';
}) {
  const { t } = useI18n();
  const titleId = useId();
  const box = useRef<HTMLDivElement>(null);
  const latestClose = useRef(onClose);
  useEffect(() => {
    latestClose.current = onClose;
  }, [onClose]);

  useEffect(() => {
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    // The first field, or else the first button (Cancel): Enter never confirms a destructive action unasked.
    const first =
      box.current?.querySelector<HTMLElement>('input, textarea, select') ??
      box.current?.querySelector<HTMLElement>('.dialog-buttons button');
    (first ?? box.current)?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') latestClose.current();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      before?.focus();
    };
  }, []);

  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={box}
        className={'dialog' + (tone ? ` dialog-${tone}` : '')}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        data-testid={testId}
      >
        <div className="dialog-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="dialog-close" onClick={onClose} aria-label={t('common.close')}>
            ×
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}
