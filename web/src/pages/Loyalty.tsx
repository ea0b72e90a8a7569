import { ComingSoon } from '../components/ComingSoon';

export function Loyalty() {
  return <ComingSoon module="loyalty" />;
}
