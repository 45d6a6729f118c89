// Builds mesh.yaml texts for table tests: the guide's valid primary-remote multi-network mesh,
// changed by a mutation of the plain object, then stringified (so positions are real).
import { stringify } from 'yaml';

export type MeshObject = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function guideMesh(): MeshObject {
  return {
    apiVersion: 'meshctl.io/v1alpha1',
    kind: 'Mesh',
    meshID: 'mesh1',
    istio: { version: '1.31.0' },
    networks: ['network1', 'network2'],
    clusters: {
      cluster1: { context: 'cluster1', role: 'primary', network: 'network1' },
      cluster2: { context: 'cluster2', role: 'remote', network: 'network2', controlPlane: 'cluster1' },
    },
  };
}

export function meshText(mutate: (m: MeshObject) => void = () => {}): string {
  const m = guideMesh();
  mutate(m);
  return stringify(m);
}
