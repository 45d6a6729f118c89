// The disk discovery cache only ever shortens the way to a kind's collection: a stale entry is
// found out by the list it serves and forgotten, and a kind it does not know is asked of the
// server. ClusterClient runs here against a small fake API server on loopback (plain HTTP).
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClusterClient } from '../../../src/kube/cluster-client.js';
import { DISCOVERY_TTL_MS, diskDiscoveryCache } from '../../../src/kube/discovery-cache.js';

interface Fake {
  served: Record<string, Array<{ name: string; namespaced: boolean; kind: string }>>;
  items: Record<string, unknown[]>;
  requests: string[];
}

const fake: Fake = { served: {}, items: {}, requests: [] };
let server: Server;
let url: string;
let root: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    fake.requests.push(req.url!);
    const discovery = /^\/(?:api|apis)\/(.+)$/.exec(req.url!)?.[1];
    if (discovery && fake.served[discovery]) return void res.end(JSON.stringify({ resources: fake.served[discovery] }));
    if (fake.items[req.url!]) return void res.end(JSON.stringify({ items: fake.items[req.url!] }));
    res.statusCode = 404;
    res.end('404 page not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'meshctl-discovery-'));
  fake.requests = [];
  fake.served = { v1: [{ name: 'configmaps', namespaced: true, kind: 'ConfigMap' }], 'networking.istio.io/v1': [{ name: 'gateways', namespaced: true, kind: 'Gateway' }] };
  fake.items = {
    '/api/v1/namespaces/istio-system/configmaps': [{ metadata: { name: 'istio' } }],
    '/apis/networking.istio.io/v1/namespaces/istio-system/gateways': [{ metadata: { name: 'cross-network-gateway' } }],
  };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const client = (now = Date.now) =>
  new ClusterClient({ cluster: 'cluster1', context: 'cluster1', server: url, auth: { apply: async () => {} }, discoveryCache: diskDiscoveryCache({ root, server: url, now }) });
const names = (items: unknown) => (items as Array<{ metadata: { name: string } }>).map((o) => o.metadata.name);

describe('disk discovery cache', () => {
  it('a second run lists without asking for discovery again', async () => {
    expect(names(await client().list('v1', 'ConfigMap', 'istio-system'))).toEqual(['istio']);
    expect(fake.requests).toEqual(['/api/v1', '/api/v1/namespaces/istio-system/configmaps']);
    fake.requests = [];
    expect(names(await client().list('v1', 'ConfigMap', 'istio-system'))).toEqual(['istio']);
    expect(fake.requests).toEqual(['/api/v1/namespaces/istio-system/configmaps']);
  });

  it('a kind removed since (its CRD deleted) is found not served, and the entry forgotten', async () => {
    await client().list('networking.istio.io/v1', 'Gateway', 'istio-system');
    delete fake.served['networking.istio.io/v1'];
    delete fake.items['/apis/networking.istio.io/v1/namespaces/istio-system/gateways'];
    fake.requests = [];
    expect(await client().list('networking.istio.io/v1', 'Gateway', 'istio-system')).toBe('not-served');
    expect(fake.requests).toEqual(['/apis/networking.istio.io/v1/namespaces/istio-system/gateways', '/apis/networking.istio.io/v1']);
    fake.requests = [];
    expect(await client().list('networking.istio.io/v1', 'Gateway', 'istio-system')).toBe('not-served');
    expect(fake.requests).toEqual(['/apis/networking.istio.io/v1']);
  });

  it('a kind the cached entry does not know (a CRD installed since) is asked of the server', async () => {
    await client().list('networking.istio.io/v1', 'Gateway', 'istio-system');
    fake.served['networking.istio.io/v1']!.push({ name: 'virtualservices', namespaced: true, kind: 'VirtualService' });
    fake.items['/apis/networking.istio.io/v1/namespaces/istio-system/virtualservices'] = [{ metadata: { name: 'istiod-vs' } }];
    fake.requests = [];
    expect(names(await client().list('networking.istio.io/v1', 'VirtualService', 'istio-system'))).toEqual(['istiod-vs']);
    expect(fake.requests[0]).toBe('/apis/networking.istio.io/v1');
  });

  it('entries older than the TTL are not used', async () => {
    const t0 = Date.now();
    await client(() => t0).list('v1', 'ConfigMap', 'istio-system');
    fake.requests = [];
    await client(() => t0 + DISCOVERY_TTL_MS + 1).list('v1', 'ConfigMap', 'istio-system');
    expect(fake.requests[0]).toBe('/api/v1');
  });

  it('reads and writes of single objects never take a hint', async () => {
    await client().list('v1', 'ConfigMap', 'istio-system');
    fake.requests = [];
    await client().read({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'istio-system', name: 'istio' });
    expect(fake.requests[0]).toBe('/api/v1');
  });
});
