// MESHCTL_UNTRUSTED: a CI job planning a pull request from someone who may not run code on the
// runner. mesh.yaml may describe the mesh, not choose a kubeconfig (a server for the runner's
// credentials, a plugin to run) nor a file outside its directory; nothing is applied.
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { meshctl, singlePrimaryMesh, stateOnDisk, world } from './cli-harness.js';

const untrusted = { env: { MESHCTL_UNTRUSTED: '1' } };

/** The world's ports, counting connections: none may be made for a refused mesh.yaml. */
function counted(meshYaml: string) {
  const w = world(meshYaml);
  let connects = 0;
  const ports = { ...w.ports, connect: (o: Parameters<typeof w.ports.connect>[0]) => (connects++, w.ports.connect(o)) };
  return { w: { ...w, ports }, connects: () => connects };
}

describe('untrusted input (MESHCTL_UNTRUSTED)', () => {
  it('plans a mesh.yaml that names only contexts', async () => {
    const { w } = counted(singlePrimaryMesh);
    const r = await meshctl(w, ['plan', '--no-color'], untrusted);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('Plan: ');
  });

  it('refuses a kubeconfig named by mesh.yaml, before reading it or reaching any cluster', async () => {
    const { w, connects } = counted(singlePrimaryMesh.replace('context: cluster1,', 'context: cluster1, kubeconfig: /home/ci/.kube/config,'));
    const r = await meshctl(w, ['plan', '--no-color'], untrusted);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Error: Kubeconfig from untrusted input');
    expect(r.err).toContain('(clusters.cluster1.kubeconfig)');
    expect(connects()).toBe(0);
    // Without the variable the same file is an ordinary mistake (the file does not exist).
    expect((await meshctl(w, ['validate', '--no-color'])).err).not.toContain('untrusted');
  });

  it('refuses trust files outside the mesh directory, by path or through a symbolic link', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'meshctl-outside-'));
    const provided = (root: string) =>
      singlePrimaryMesh.replace('trust:\n  none: {}', `trust:\n  provided:\n    rootCert: ${root}\n    clusters:\n      cluster1: { cert: ca/cert.pem, key: ca/key.pem, chain: ca/chain.pem }`);
    const byPath = counted(provided('/etc/passwd'));
    const r = await meshctl(byPath.w, ['validate', '--no-color'], untrusted);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Error: Path outside the mesh directory');
    expect(r.err).toContain('the root certificate /etc/passwd is /etc/passwd, outside');

    const byLink = counted(provided('ca/root.pem'));
    symlinkSync(outside, join(byLink.w.dir, 'ca'));
    const l = await meshctl(byLink.w, ['validate', '--no-color'], untrusted);
    expect(l.code).toBe(1);
    expect(l.err).toContain(`the root certificate ca/root.pem resolves, through a symbolic link, to ${join(outside, 'root.pem')}`);
    expect(l.err.match(/Path outside the mesh directory/g)).toHaveLength(4);
  });

  it('refuses the default trust directory when the pull request made it a link out', async () => {
    const { w } = counted(singlePrimaryMesh.replace('trust:\n  none: {}\n', ''));
    const outside = mkdtempSync(join(tmpdir(), 'meshctl-outside-'));
    mkdirSync(join(outside, 'keys'));
    symlinkSync(join(outside, 'keys'), join(w.dir, 'trust'));
    const r = await meshctl(w, ['plan', '--no-color'], untrusted);
    expect(r.code).toBe(1);
    expect(r.err).toContain('the trust directory (the default) ./trust resolves, through a symbolic link, to');
  });

  it.each([
    [['apply', '--auto-approve'], 'apply'],
    [['destroy', '--auto-approve'], 'destroy'],
    [['state', 'rm', 'cluster1/namespace'], 'state rm'],
    [['force-unlock', 'x'], 'force-unlock'],
  ])('refuses %j and changes nothing', async (argv, name) => {
    const { w, connects } = counted(singlePrimaryMesh);
    const r = await meshctl(w, argv, untrusted);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`Error: Not with untrusted input`);
    expect(r.err).toContain(`\`meshctl ${name}\` would change clusters or the state`);
    expect(connects()).toBe(0);
    expect(stateOnDisk(w)).toBeNull();
  });

  it('still lists the state', async () => {
    const { w } = counted(singlePrimaryMesh);
    expect((await meshctl(w, ['apply', '--auto-approve', '--verify=false'])).code).toBe(0);
    const r = await meshctl(w, ['state', 'list'], untrusted);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('cluster1/namespace');
  });
});
