/**
 * One refresh at a time, always ending on the newest state. `request()` starts `refresh` unless one
 * is running; requests that arrive while it runs are folded into a single further run, which starts
 * when the current one ends. So two refreshes never overlap (a slow one cannot finish after, and
 * overwrite, a newer one) and a burst of requests costs at most two runs.
 *
 * Used by main for the application menu, which is rebuilt from the recent files (read from disk)
 * and the writer's key bindings.
 */
export interface SerialRefresh {
  /** Ask for a refresh; resolves when a run that started after this request has ended. */
  request(): Promise<void>;
  /** Resolves when no run is in progress or pending. */
  settled(): Promise<void>;
}

export function serialRefresh(refresh: () => Promise<void>, onError: (e: unknown) => void): SerialRefresh {
  let running: Promise<void> | null = null;
  let again = false;
  const loop = async (): Promise<void> => {
    do {
      again = false;
      try {
        await refresh();
      } catch (e) {
        onError(e);
      }
    } while (again);
  };
  return {
    request() {
      if (running) {
        again = true;
        return running;
      }
      running = loop().finally(() => {
        running = null;
      });
      return running;
    },
    settled() {
      return running ?? Promise.resolve();
    },
  };
}
