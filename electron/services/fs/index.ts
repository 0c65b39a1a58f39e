export { atomicWriteFile, removeLeftoverTempsOf, removeStaleTempFiles, errno, type AtomicWriteOptions } from './atomicWrite';
export { readJsonFile, writeJsonFile, SerialQueue, type JsonRead } from './jsonFile';
export { processAlive } from './process';
