export { WindowStateStore, fitToDisplays, parseWindowState, DEFAULT_SIZE, MIN_SIZE, type Rect, type WindowState } from './windowState';
