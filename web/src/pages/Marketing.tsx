import { ComingSoon } from '../components/ComingSoon';

export function Marketing() {
  return <ComingSoon module="marketing" />;
}
