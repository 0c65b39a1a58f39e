/** The app's model library manager: jobs with progress, resume after restart, devices. */
export { LibraryService, type LibraryServiceOptions, type LibraryPlatform } from './manager';
export { libraryHandlers, type LibraryHandlers, type LibraryMethod } from './handlers';
export { detectDevices, describeDevices, probeDevices, CUDA_INSTALL_HINT, type DeviceProbe } from './devices';
export { PendingDownloads, PENDING_FILE, type PendingDownload } from './pending';
