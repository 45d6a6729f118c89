// A proxy or login page in front of the API server answers 200 with HTML. That is the user's
// setup to fix: a clear error naming the cluster, not "internal error" with a JSON SyntaxError,
// and the page's text (which may hold terminal escapes) is not echoed.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterClient } from '../../../src/kube/cluster-client.js';
import { isDiagnosticsError } from '../../../src/diagnostics.js';

const page = '<html><body>\u001b]0;owned\u0007Please log in</body></html>';
let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/html');
    res.end(page);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('an HTML page where the API server should answer', () => {
  it('is reported as not a Kubernetes API answer, naming the cluster, without the page text', async () => {
    const client = new ClusterClient({ cluster: 'east', context: 'east-ctx', server: url, auth: { apply: async () => {} } });
    const failure = await client.read({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'istio-system', name: 'istio' }).then(
      () => 'read',
      (e: unknown) => (isDiagnosticsError(e) ? e.diagnostics[0]! : e),
    );
    expect(failure).toMatchObject({
      summary: 'Not a Kubernetes API answer',
      detail: `discovering v1 in cluster "east" (context "east-ctx", server ${url}): the server answered HTTP 200 with ${page.length} bytes of HTML or XML (a proxy or login page?), not the Kubernetes API's JSON.`,
    });
    expect(JSON.stringify(failure)).not.toContain('log in');
  });
});
