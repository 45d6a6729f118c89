// A tiny file system for config tests: mesh.yaml lives in /mesh and these paths exist.
// Rules take a pathKind probe, so tests never depend on the real disk or the checkout's path.
import type { LoadOptions } from '../../../src/config/load.js';
import type { PathKind } from '../../../src/config/read.js';

const entries: ReadonlyMap<string, PathKind> = new Map([
  ['/mesh', 'directory'],
  ['/mesh/kubeconfig', 'file'],
  ['/mesh/kubeconfigs', 'directory'],
  ['/mesh/ca/root-cert.pem', 'file'],
  ['/mesh/ca/cluster1/ca-cert.pem', 'file'],
  ['/mesh/ca/cluster1/ca-key.pem', 'file'],
  ['/mesh/ca/cluster1/cert-chain.pem', 'file'],
  ['/mesh/ca/cluster2/ca-cert.pem', 'file'],
  ['/mesh/ca/cluster2/ca-key.pem', 'file'],
  ['/mesh/ca/cluster2/cert-chain.pem', 'file'],
  ['/mesh/trust', 'directory'],
  ['/mesh/trust-file', 'file'],
]);

export function fakePathKind(absolute: string): PathKind {
  return entries.get(absolute) ?? 'missing';
}

/** Load options placing mesh.yaml at /mesh/<file> on the fake file system. */
export const fakeMeshDir: LoadOptions = { cwd: '/mesh', baseDir: '/mesh', pathKind: fakePathKind };
