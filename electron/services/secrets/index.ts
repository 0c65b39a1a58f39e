export { FileSecretStore, MemorySecretStore, PLAIN_CODEC, type SecretCodec, type SecretStore } from './secretStore';
