export {
  atomicWriteFile,
  atomicWriteFileSync,
  commitTempFile,
  moveAside,
  tempPathFor,
  removeLeftoverTempsOf,
  removeStaleTempFiles,
  errno,
  type AtomicWriteOptions,
} from './atomicWrite';
export { hashInto, sha256File, type HashOptions } from './hash';
export { readJsonFile, writeJsonFile, SerialQueue, type JsonRead } from './jsonFile';
export { processAlive } from './process';
