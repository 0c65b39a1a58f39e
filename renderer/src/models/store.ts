/**
 * Models store: the catalog, the installed models, downloads / imports in progress and the devices,
 * as the host reports them, plus whether the Models page is open. Progress arrives as
 * `modelProgress` pushes; the lists are re-read when the host says the library changed.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  Catalog, DeviceReport, EngineStatus, InklingApi, ModelJob, ModelLibrary, ModelPrecision, Unsubscribe,
} from '../../../electron/api';
import { errorMessage } from '../../../electron/api';
import { formatBytes } from './format';

type ModelsApi = Pick<
  InklingApi,
  | 'listCatalog' | 'listModels' | 'listModelJobs' | 'listDevices' | 'pullModel' | 'cancelPull' | 'deleteModel'
  | 'setDefaultModel' | 'useModel' | 'importModel' | 'showModelInFolder' | 'onModelProgress' | 'onModelsChanged'
  | 'onEngineStatus'
>;

export interface ModelsState {
  pageOpen: boolean;
  catalog: Catalog | null;
  library: ModelLibrary | null;
  /** Downloads and imports by job id: running, stopped (resumable), interrupted by a restart. */
  jobs: Record<string, ModelJob>;
  devices: DeviceReport | null;
  /** The last failure of an action on this page, in the host's words. */
  error: string | null;
  /** Model ids with an action in flight (use / default / delete), to disable their buttons. */
  busy: Record<string, boolean>;
  openPage(): void;
  closePage(): void;
  refresh(): Promise<void>;
  refreshDevices(): Promise<void>;
  /** Re-reads the installed models and jobs (not the catalog). */
  reloadLibrary(): Promise<void>;
  pull(repo: string, precision: ModelPrecision): Promise<void>;
  /** Resumes a stopped download (same repository and precision). */
  resume(job: ModelJob): Promise<void>;
  /** Stops a running job, or discards a stopped one. */
  cancel(jobId: string): Promise<void>;
  /** Resolves with the bytes freed, or null on failure (the error is in `error`). */
  remove(id: string): Promise<number | null>;
  setDefault(id: string): Promise<void>;
  use(id: string, precision?: ModelPrecision): Promise<void>;
  /** `path` undefined = the desktop app's folder dialog. Resolves false on failure. */
  importFolder(path: string | undefined, precision: ModelPrecision): Promise<boolean>;
  showInFolder(id: string): Promise<void>;
  clearError(): void;
  receiveJob(job: ModelJob): void;
  dispose(): void;
}

export type ModelsStore = StoreApi<ModelsState>;

export interface ModelsStoreOptions {
  /** Shows a notice (info fades, error stays). */
  notify(kind: 'info' | 'error', text: string): void;
}

export function createModelsStore(api: ModelsApi, opts: ModelsStoreOptions): ModelsStore {
  const subs: Unsubscribe[] = [];
  /** Jobs seen finishing: a reply or event that arrives after "done" must not bring them back. */
  const finished = new Set<string>();
  const store = createStore<ModelsState>()((set, get) => {
    const fail = (e: unknown) => set({ error: errorMessage(e) });
    const withBusy = async <T>(id: string, fn: () => Promise<T>): Promise<T | null> => {
      set({ busy: { ...get().busy, [id]: true }, error: null });
      try {
        return await fn();
      } catch (e) {
        fail(e);
        return null;
      } finally {
        const { [id]: _, ...rest } = get().busy;
        void _;
        set({ busy: rest });
      }
    };
    const loadLibrary = async () => {
      const [library, jobs] = await Promise.all([api.listModels(), api.listModelJobs()]);
      set({ library, jobs: Object.fromEntries(jobs.map((j) => [j.jobId, j])) });
    };
    return {
      pageOpen: false,
      catalog: null,
      library: null,
      jobs: {},
      devices: null,
      error: null,
      busy: {},
      openPage() {
        set({ pageOpen: true });
        void get().refresh();
      },
      closePage() {
        set({ pageOpen: false });
      },
      async refresh() {
        try {
          const [catalog, devices] = await Promise.all([api.listCatalog(), get().devices ? Promise.resolve(get().devices!) : api.listDevices()]);
          set({ catalog, devices });
          await loadLibrary();
        } catch (e) {
          fail(e);
        }
      },
      async reloadLibrary() {
        await loadLibrary().catch(fail);
      },
      async refreshDevices() {
        try {
          set({ devices: await api.listDevices() });
        } catch (e) {
          fail(e);
        }
      },
      async pull(repo, precision) {
        set({ error: null });
        try {
          get().receiveJob(await api.pullModel({ repo, precision }));
        } catch (e) {
          fail(e);
        }
      },
      async resume(job) {
        if (job.kind !== 'pull' || !job.repo) return;
        // The stopped entry is replaced by the new running job (same model).
        const { [job.jobId]: _, ...rest } = get().jobs;
        void _;
        set({ jobs: rest });
        await get().pull(job.repo, job.precision);
      },
      async cancel(jobId) {
        const job = get().jobs[jobId];
        try {
          await api.cancelPull(jobId);
          if (job && job.state !== 'running') {
            const { [jobId]: _, ...rest } = get().jobs;
            void _;
            set({ jobs: rest });
          }
        } catch (e) {
          fail(e);
        }
      },
      async remove(id) {
        const r = await withBusy(id, () => api.deleteModel(id));
        if (!r) return null;
        opts.notify('info', `Deleted ${id}; ${formatBytes(r.freedBytes)} freed.`);
        await loadLibrary().catch(fail);
        return r.freedBytes;
      },
      async setDefault(id) {
        await withBusy(id, () => api.setDefaultModel(id));
        await loadLibrary().catch(fail);
      },
      async use(id, precision) {
        await withBusy(id, () => api.useModel(id, precision));
        await loadLibrary().catch(fail);
      },
      async importFolder(path, precision) {
        set({ error: null });
        try {
          const job = await api.importModel(path, precision);
          if (job) get().receiveJob(job);
          return true;
        } catch (e) {
          fail(e);
          return false;
        }
      },
      async showInFolder(id) {
        try {
          await api.showModelInFolder(id);
        } catch (e) {
          fail(e);
        }
      },
      clearError() {
        set({ error: null });
      },
      receiveJob(job) {
        const before = get().jobs[job.jobId];
        // Replies and events travel separately (Electron IPC): keep the newest word on each job.
        if (finished.has(job.jobId) || (before && before.updatedAt > job.updatedAt)) return;
        if (job.state === 'done') {
          finished.add(job.jobId);
          const { [job.jobId]: _, ...rest } = get().jobs;
          void _;
          set({ jobs: rest });
          if (before?.state !== 'done') opts.notify('info', `${job.name} is installed.`);
          return;
        }
        set({ jobs: { ...get().jobs, [job.jobId]: job } });
        if (job.state === 'failed' && before?.state !== 'failed' && !get().pageOpen) {
          opts.notify('error', `${job.kind === 'pull' ? 'Download' : 'Import'} of ${job.name} failed: ${job.error?.message ?? 'unknown error'}`);
        }
      },
      dispose() {
        for (const off of subs.splice(0)) off();
      },
    };
  });
  // Downloads an earlier run left unfinished: say so once, so the writer knows they can resume.
  void api.listModelJobs().then(
    (jobs) => {
      const left = jobs.filter((j) => j.kind === 'pull' && (j.state === 'interrupted' || j.state === 'cancelled'));
      if (left.length === 0) return;
      store.setState({ jobs: { ...Object.fromEntries(left.map((j) => [j.jobId, j])), ...store.getState().jobs } });
      const names = left.map((j) => j.name).join(', ');
      opts.notify('info', `The download of ${names} did not finish. Open Models (${left.length > 1 ? 'they resume' : 'it resumes'} where ${left.length > 1 ? 'they' : 'it'} stopped).`);
    },
    () => undefined, // the page shows errors when it opens
  );
  subs.push(
    api.onModelProgress((job) => store.getState().receiveJob(job)),
    api.onModelsChanged(() => {
      if (store.getState().library || store.getState().pageOpen) void store.getState().refresh();
    }),
    // "In use" follows the engine: a model loaded, unloaded or replaced.
    api.onEngineStatus((s) => {
      if ((s.state === 'ready' || s.state === 'no_model') && store.getState().pageOpen) void store.getState().reloadLibrary();
    }),
  );
  return store;
}

/** A notice when the model runs somewhere other than the device the writer chose. */
export function deviceNotice(status: EngineStatus, previous: EngineStatus | null): string | null {
  const note = status.state === 'ready' ? status.model?.deviceNote : undefined;
  if (!note) return null;
  if (previous?.state === 'ready' && previous.model?.deviceNote === note && previous.model.dir === status.model?.dir) return null;
  return `The model runs on the CPU: ${note}.`;
}
