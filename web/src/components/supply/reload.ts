import { useEffect } from 'react';

/**
 * Reloads a panel's list when the page's `version` moves on: a transfer made or moved on one panel
 * changes the figures the others show (0: nothing has changed since the page opened).
 */
export function useReloadOn(version: number, reload: () => void): void {
  useEffect(() => {
    if (version > 0) reload();
  }, [version, reload]);
}
