export { Backend, type BackendOptions, type Client, type PlatformHooks } from './backend';
