export { SettingsService } from './settings';
export { dataDirFor, defaultDataDir } from './dataDir';
export {
  DATA_DIR_LOCK_FILE,
  DataDirBusyError,
  dataDirLockPath,
  lockDataDir,
  readDataDirLock,
  type DataDirHolder,
  type DataDirLock,
} from './dataDirLock';
