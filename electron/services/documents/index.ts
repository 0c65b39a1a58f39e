export { DocumentService, newDocId } from './documents';
export { BackupStore, BACKUP_END_MARKER, parseBackup, serializeBackup, type BackupRecord } from './backups';
export { RecentFiles, MAX_RECENT_FILES } from './recent';
export {
  readTextFile,
  writeTextFile,
  normalizeDocumentPath,
  checkExtension,
  decodeText,
  detectLineEnding,
  MAX_FILE_BYTES,
  TEXT_EXTENSIONS,
  type TextFile,
  type WriteFormat,
} from './textFile';
export { MemoryStore } from './memory';
