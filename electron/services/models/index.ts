/** The model library: catalog, downloads from the Hugging Face Hub, installed models, import. */
export { loadCatalog, parseCatalog, catalogEntry, catalogEntryForRepo, memoryNeeded, fitLabel, gpt2Parameters, PRECISIONS, FITS_SHARE, SLOW_SHARE } from './catalog';
export type { CatalogEntry, CatalogFile, FitLabel, MemoryEstimate, Precision } from './catalog';
export { downloadFile, downloadHubFile, type DownloadOptions, type DownloadResult, type HubFileOptions, type RetryOptions } from './download';
export { resolveEndpoint, resolveUrl, headFile, DEFAULT_ENDPOINT, type RemoteFileMeta } from './http';
export type { DownloadProgress } from './progress';
export { HttpStatusError, formatBytes, isAbortError } from './errors';
export type { StatFs } from './files';
export { listModels, getModel, setDefault, getDefault, deleteModel, scanLibrary, type InstalledModel, type BrokenModel } from './library';
export { importFolder, detectFolder, type ImportOptions } from './import';
export { pullModel, DEFAULT_FILES, type PullOptions, type PullProgress, type PullResult } from './pull';
export type { ConvertFn, ConvertResult } from './install';
export { modelDir, modelsRoot, readManifest, writeManifest, isValidId, MANIFEST_FILE, MANIFEST_SCHEMA_VERSION } from './manifest';
export { withLock } from './lock';
export type { ModelManifest, ManifestFile, PrecisionEntry, QuantError, ModelSource, EvalRecord } from './manifest';
