// Public surface of the model stage.
export { buildDesired } from './build.js';
export { renderRemoteKubeconfig, remoteKubeconfig, type ResolvedRemoteKubeconfig } from './remote-kubeconfig.js';
export { supportsGlobalExternalIstiod } from './control-plane.js';
export { remoteSecretId, unitId } from './unit-id.js';
export * from './desired.js';
