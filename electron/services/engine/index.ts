export { EngineManager, engineError, type EngineLike, type EngineManagerOptions } from './engineManager';
