export { startWebHost, type WebHost, type WebHostOptions } from './server';
export { parseWebArgs, USAGE, type WebArgs } from './args';
export { resolveStaticPath, MIME_TYPES } from './static';
export { rendererBuildReason, ensureRendererBuilt } from './rendererBuild';
