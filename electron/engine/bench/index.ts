/** `npm run bench`: figures for Inkling's engine against transformers.js on the same weights. */
export { runBench, DEFAULT_CACHE_DIR, type BenchOptions } from './run';
export { writeBenchmarksDoc } from './doc';
export { figuresTable, targetsTable, machineLines, threadsTable, shapesTable, type BenchResult } from './report';
export { measureBandwidth, type BandwidthResult } from './bandwidth';
export { ensureBenchModels } from './models';
