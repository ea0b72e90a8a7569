import { lazy, Suspense } from 'react';
import { Layout } from './components/Layout';
import { PageHeader } from './components/PageHeader';
import { Loading } from './components/Status';
import { useI18n } from './i18n';
import { Audit } from './pages/Audit';
import { CustomerProfile } from './pages/CustomerProfile';
import { Customers } from './pages/Customers';
import { Dashboard } from './pages/Dashboard';
import { Inventory } from './pages/Inventory';
import { MeProvider } from './me';
import { Marketing } from './pages/Marketing';
import { Orders } from './pages/Orders';
import { Presales } from './pages/Presales';
import { Replenishment } from './pages/Replenishment';
import { Security } from './pages/Security';
import { Settings } from './pages/Settings';
import { SignIn } from './pages/SignIn';
import { StoreTasks } from './pages/StoreTasks';
import { Stores } from './pages/Stores';
import { StoreAppointments } from './pages/StoreAppointments';
import { StoreScorecard } from './pages/StoreScorecard';
import { StoreStock } from './pages/StoreStock';
import { Settlements } from './pages/Settlements';
import { Reviews } from './pages/Reviews';
import { GroupBuy } from './pages/GroupBuy';
import { href, useRoute, type Route } from './router';
import { useSession } from './session';

// Loyalty and the till load on first use (their own chunk), keeping the first load small.
const Loyalty = lazy(() => import('./pages/Loyalty').then((m) => ({ default: m.Loyalty })));
const Till = lazy(() => import('./pages/Till').then((m) => ({ default: m.Till })));

function NotFound() {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t('notFound.title')} />
      <a className="btn" href={href('dashboard')}>
        {t('notFound.back')}
      </a>
    </>
  );
}

function CurrentPage({ route }: { route: Route }) {
  const selected = route.params[0] ?? null;
  switch (route.page) {
    case 'dashboard':
      return <Dashboard />;
    case 'customers':
      return selected ? <CustomerProfile key={selected} id={selected} /> : <Customers />;
    case 'orders':
      return <Orders selected={selected} />;
    case 'store':
      return <StoreTasks selected={selected} />;
    case 'till':
      return <Till selected={selected} />;
    case 'inventory':
      return <Inventory selected={selected} />;
    case 'replenishment':
      return <Replenishment key={selected ?? ''} selected={selected} />;
    case 'stores':
      if (selected && route.params[1] === 'stock') return <StoreStock key={selected} id={selected} />;
      if (selected && route.params[1] === 'appointments') return <StoreAppointments key={selected} id={selected} />;
      return selected ? <StoreScorecard key={selected} id={selected} /> : <Stores />;
    case 'settlements':
      return <Settlements />;
    case 'groupbuy':
      return <GroupBuy selected={selected} />;
    case 'loyalty':
      return <Loyalty params={route.params} />;
    case 'marketing':
      return <Marketing params={route.params} />;
    case 'reviews':
      return <Reviews />;
    case 'presales':
      return <Presales selected={selected} />;
    case 'audit':
      return <Audit key={selected ?? ''} subject={selected} />;
    case 'security':
      return <Security />;
    case 'settings':
      return <Settings />;
    default:
      return <NotFound />;
  }
}

export function App() {
  const { key } = useSession();
  const route = useRoute();
  if (!key) return <SignIn />;
  return (
    // A new key (sign-in as someone else) starts every page afresh.
    <MeProvider key={key}>
      <Layout current={route.page}>
        <Suspense fallback={<Loading />}>
          <CurrentPage key={key} route={route} />
        </Suspense>
      </Layout>
    </MeProvider>
  );
}
