/** The Models page, its store, and the pieces other parts of the window show (device settings, download status). */
export { createModelsStore, deviceNotice, type ModelsStore, type ModelsState } from './store';
export { ModelsPage } from './ModelsPage';
export { DeviceSettings } from './DeviceSettings';
export { DownloadStatus } from './DownloadStatus';
