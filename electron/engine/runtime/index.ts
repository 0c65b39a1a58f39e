export { Engine, type CancelToken } from './engine';
export {
  loadModel,
  detectModelFolder,
  defaultCacheDir,
  ModelLoadError,
  type LoadedModel,
  type LoadModelOptions,
} from './load';
export type { Decoder, DecoderInfo, KvState } from './decoder';
