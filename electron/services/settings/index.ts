export { SettingsService } from './settings';
export { dataDirFor, defaultDataDir } from './dataDir';
