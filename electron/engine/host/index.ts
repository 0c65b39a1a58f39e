export {
  EngineClient,
  forkTransport,
  hostEntry,
  type CallOptions,
  type EngineTransport,
  type EngineClientOptions,
} from './client';
export type * from './protocol';
