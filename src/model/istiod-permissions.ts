// What istiod does with a remote secret, as the RBAC it needs in the cluster the secret is for
// (Istio's reader ClusterRole, manifests/charts/istio-control/istio-discovery/templates/
// reader-clusterrole.yaml): every primary reads workloads and services there; a primary that
// controls a remote also writes its root-cert ConfigMaps and patches its injection webhook.
export interface Permission {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
}

const read = (group: string, resource: string): Permission[] => ['list', 'watch'].map((verb) => ({ verb, group, resource }));

export const READER_PERMISSIONS: readonly Permission[] = [
  ...read('', 'pods'),
  ...read('', 'services'),
  ...read('', 'namespaces'),
  ...read('', 'nodes'),
  ...read('discovery.k8s.io', 'endpointslices'),
  { verb: 'create', group: 'authentication.k8s.io', resource: 'tokenreviews' },
];

export const CONTROLLER_PERMISSIONS: readonly Permission[] = [
  { verb: 'create', group: '', resource: 'configmaps' },
  { verb: 'update', group: '', resource: 'configmaps' },
  { verb: 'patch', group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations' },
];

export function permissionText(p: Permission): string {
  return `${p.verb} ${p.group ? `${p.resource}.${p.group}` : p.resource}`;
}
