// Kubeconfig files for the test clusters: certificates embedded (so the file stands alone and
// can be copied), the CA always set, never insecure-skip-tls-verify.
import { readFile, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { ClusterPki } from './pki.js';

export interface KubeconfigEntry {
  /** Context, cluster and user are all named after this (cluster1, cluster2, ...). */
  name: string;
  server: string;
  pki: ClusterPki;
}

const b64 = async (path: string) => (await readFile(path)).toString('base64');

export async function renderKubeconfig(entries: KubeconfigEntry[]): Promise<string> {
  const clusters = [];
  const users = [];
  const contexts = [];
  for (const e of entries) {
    clusters.push({ name: e.name, cluster: { server: e.server, 'certificate-authority-data': await b64(e.pki.ca.cert) } });
    users.push({
      name: `${e.name}-admin`,
      user: { 'client-certificate-data': await b64(e.pki.admin.cert), 'client-key-data': await b64(e.pki.admin.key) },
    });
    contexts.push({ name: e.name, context: { cluster: e.name, user: `${e.name}-admin` } });
  }
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters,
    users,
    contexts,
    'current-context': entries[0]?.name ?? '',
  });
}

/** Writes the kubeconfig readable by the owner only: it holds cluster-admin keys. */
export async function writeKubeconfig(path: string, entries: KubeconfigEntry[]): Promise<void> {
  await writeFile(path, await renderKubeconfig(entries), { mode: 0o600 });
}
