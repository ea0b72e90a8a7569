import { JourneyBuilder } from './JourneyBuilder';
import { JourneyDetail } from './JourneyDetail';
import { JourneyList } from './JourneyList';
import './journeys.css';

/** 营销 › 旅程: the list (#/marketing/journeys), a new one (…/new) or one journey and its report (…/<id>). */
export function JourneysView({ selected }: { selected: string | null }) {
  if (selected === 'new') return <JourneyBuilder />;
  if (selected) return <JourneyDetail key={selected} id={selected} />;
  return <JourneyList />;
}
