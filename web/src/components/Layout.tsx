import type { ReactNode } from 'react';
import { localName } from '../format';
import { translateValue, useI18n, type MessageKey } from '../i18n';
import { useLocations } from '../locations';
import { can, useMe, type Action } from '../me';
import { href, PAGES, type PageName } from '../router';
import { useSession } from '../session';
import { Icon } from './Icon';
import { LanguageSwitch } from './LanguageSwitch';

/** Who is signed in: the key's name, role and, for store staff, their store. */
function Who() {
  const { t, lang } = useI18n();
  const me = useMe();
  const { byId } = useLocations();
  if (!me) return null;
  const store = me.location_id ? byId.get(me.location_id) : undefined;
  return (
    <div className="who" data-testid="who">
      <strong>{me.name}</strong>
      <span>
        {translateValue(t, 'role', me.role)}
        {me.location_id && <> · {store ? localName(store.name, lang) : me.location_id}</>}
      </span>
    </div>
  );
}

/** Pages only some roles may open: the others are not offered them in the sidebar. */
const PAGE_ACTION: Partial<Record<PageName, Action>> = {
  audit: 'readAudit',
  security: 'manageSecurity',
  till: 'till',
  loyalty: 'readCoupons',
  settlements: 'readSettlements',
  groupbuy: 'readGroupBuy',
};

/** The signed-in frame: sidebar navigation, language switch and sign out around the current page. */
export function Layout({ current, children }: { current: PageName | null; children: ReactNode }) {
  const { t } = useI18n();
  const { signOut } = useSession();
  const me = useMe();
  const pages = PAGES.filter((p) => {
    const action = PAGE_ACTION[p];
    return !action || can(me, action) || p === current;
  });
  return (
    <div className="shell">
      <aside className="sidebar">
        <a className="brand" href={href('dashboard')}>
          <span className="brand-mark" aria-hidden="true">
            三
          </span>
          <span>
            <strong>{t('app.name')}</strong>
            <small>{t('app.tagline')}</small>
          </span>
        </a>
        <nav aria-label={t('nav.menu')}>
          <ul>
            {pages.map((p) => (
              <li key={p}>
                <a
                  href={href(p)}
                  className={p === current ? 'active' : ''}
                  aria-current={p === current ? 'page' : undefined}
                  data-testid={`nav-${p}`}
                >
                  <Icon name={p} />
                  <span>{t(`nav.${p}` as MessageKey)}</span>
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="sidebar-foot">
          <Who />
          <LanguageSwitch className="segmented-dark" />
          <button type="button" className="signout" onClick={signOut} data-testid="sign-out">
            <Icon name="signOut" />
            <span>{t('nav.signOut')}</span>
          </button>
        </div>
      </aside>
      <main className="content">{children}</main>
    </div>
  );
}
