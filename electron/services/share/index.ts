export { ShareService, engineForServe, type ShareServiceOptions } from './shareService';
