/** The Backend's handlers for the model library's API methods (arguments are validated before these run). */
import type { InklingMethods } from '../../api/types';
import type { LibraryService } from './manager';

export type LibraryMethod =
  | 'listCatalog'
  | 'listModels'
  | 'pullModel'
  | 'cancelPull'
  | 'listModelJobs'
  | 'deleteModel'
  | 'setDefaultModel'
  | 'useModel'
  | 'importModel'
  | 'showModelInFolder'
  | 'listDevices';

export type LibraryHandlers<C> = {
  [M in LibraryMethod]: (client: C, ...args: Parameters<InklingMethods[M]>) => ReturnType<InklingMethods[M]>;
};

/** `chooseFolder(client)`: the platform's folder dialog for importModel without a path (Electron). */
export function libraryHandlers<C>(
  library: LibraryService,
  chooseFolder?: (client: C) => Promise<string | null>,
): LibraryHandlers<C> {
  return {
    listCatalog: async () => library.catalog(),
    listModels: async () => library.models(),
    pullModel: async (_c, req) => library.pull(req),
    cancelPull: async (_c, jobId) => library.cancel(jobId),
    listModelJobs: async () => library.listJobs(),
    deleteModel: async (_c, id) => library.delete(id),
    setDefaultModel: async (_c, id) => library.setDefault(id),
    useModel: async (_c, id, precision) => library.use(id, precision),
    importModel: async (client, folder, precision) =>
      library.import(folder, precision, chooseFolder ? () => chooseFolder(client) : undefined),
    showModelInFolder: async (_c, id) => library.showInFolder(id),
    listDevices: async () => library.devices(),
  };
}
