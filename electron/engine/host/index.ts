export {
  EngineClient,
  EngineError,
  forkTransport,
  hostEntry,
  type EngineTransport,
  type EngineClientOptions,
} from './client';
export type * from './protocol';
