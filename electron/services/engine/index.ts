export { EngineManager, toInklingError, type EngineLike, type EngineManagerOptions } from './engineManager';
