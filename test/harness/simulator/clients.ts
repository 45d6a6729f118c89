// The typed client-node APIs a simulated pass reads and writes through, per cluster.
import { AdmissionregistrationV1Api, AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';

export interface ClusterClients {
  core: CoreV1Api;
  apps: AppsV1Api;
  admission: AdmissionregistrationV1Api;
}

export const clientsOf = (kc: KubeConfig): ClusterClients => ({
  core: kc.makeApiClient(CoreV1Api),
  apps: kc.makeApiClient(AppsV1Api),
  admission: kc.makeApiClient(AdmissionregistrationV1Api),
});

export const statusCode = (err: unknown) => (err as { code?: number }).code;
