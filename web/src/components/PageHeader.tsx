import { useEffect, useRef, type ReactNode } from 'react';

/** Below this width a detail panel sits under its list (styles.css): opening one brings it into view. */
const STACKED = '(max-width: 1100px)';

export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle && <p className="muted">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

export function Panel({
  title,
  hint,
  actions,
  children,
  className,
  testId,
}: {
  title?: ReactNode;
  hint?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  const ref = useRef<HTMLElement>(null);
  const isDetail = className?.split(' ').includes('detail') ?? false;
  useEffect(() => {
    if (isDetail && window.matchMedia?.(STACKED).matches) ref.current?.scrollIntoView({ block: 'start' });
  }, [isDetail]);
  return (
    <section ref={ref} className={'panel' + (className ? ' ' + className : '')} data-testid={testId}>
      {(title || actions) && (
        <div className="panel-head">
          <div>
            {title && <h2>{title}</h2>}
            {hint && <p className="muted small">{hint}</p>}
          </div>
          {actions}
        </div>
      )}
      {children}
    </section>
  );
}
