import { useMemo } from 'react';
import type { Location } from './api';
import { localName } from './format';
import type { Lang } from './i18n';
import { useResource } from './hooks';

/** All locations (for filters and for naming a location id), keyed by id. */
export function useLocations(): { list: Location[]; byId: Map<string, Location> } {
  const { data } = useResource<{ items: Location[] }>('/v1/locations');
  return useMemo(() => {
    const list = data?.items ?? [];
    return { list, byId: new Map(list.map((l) => [l.id, l])) };
  }, [data]);
}

/** A location's name in the current language, or its id while the list is loading. */
export function locationLabel(byId: Map<string, Location>, id: string | null, lang: Lang): string {
  if (!id) return '—';
  const l = byId.get(id);
  return l ? localName(l.name, lang) : id;
}
