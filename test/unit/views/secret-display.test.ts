// A Secret's values never show in a plan; certificates next to keys show their fingerprints.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { maskSecretData } from '../../../src/kube/sensitive.js';
import { planMesh } from '../../../src/planner/plan-mesh.js';
import { renderPlanHuman } from '../../../src/views/plan-human.js';

const dir = mkdtempSync(join(tmpdir(), 'meshctl-secret-display-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function selfSigned(): { cert: string; key: string } {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/O=Istio/CN=Root CA', '-days', '1', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], {
    stdio: 'ignore',
  });
  return { cert: readFileSync(join(dir, 'c.pem'), 'utf8'), key: readFileSync(join(dir, 'k.pem'), 'utf8') };
}

describe('Secret data in a human plan', () => {
  const { cert, key } = selfSigned();
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const secret = maskSecretData({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'cacerts', namespace: 'istio-system' }, data: { 'root-cert.pem': b64(cert), 'ca-key.pem': b64(key) } });
  const plan = planMesh({
    mode: 'apply',
    desired: { meshID: 'm', units: [{ id: 'c1/cacerts', cluster: 'c1', kind: 'cacerts', dependsOn: [], objects: [secret], waits: [], outputs: [] }], kept: [] },
    observed: { objects: new Map() },
    prior: null,
    source: { file: 'mesh.yaml', digest: 'd' },
    createdAt: 't',
    meshctlVersion: '0',
  });
  const text = renderPlanHuman(plan, { color: false });

  it("shows the certificate's fingerprint, as openssl computes it", () => {
    const fp = new X509Certificate(cert).fingerprint256.toLowerCase();
    expect(text).toContain(`/data/root-cert.pem: (sensitive value) certificate SHA256:${fp}`);
  });

  it('never shows the key or the certificate bytes', () => {
    expect(text).toContain('/data/ca-key.pem: (sensitive value)\n');
    expect(text).not.toContain(b64(key).slice(0, 40));
    expect(text).not.toContain('PRIVATE KEY');
    expect(JSON.stringify(plan)).not.toContain(b64(key).slice(0, 40));
  });
});
