export {
  startWebHost,
  DEFAULT_FLOW_LIMITS,
  type WebHost,
  type WebHostOptions,
  type FlowLimits,
  type ConnectionStats,
} from './server';
export { parseWebArgs, USAGE, type WebArgs } from './args';
export { resolveStaticPath, MIME_TYPES } from './static';
export { rendererBuildReason, ensureRendererBuilt } from './rendererBuild';
