// The state file's content: what meshctl has made, so that plan can tell drift from config
// changes, destroy can remove exactly what meshctl created, and an interrupted apply resumes.
// Like Terraform's statefile.File it is an envelope (version, lineage, serial) around data.
// It never holds secret values: Secret data appear only as digests (kube/sensitive.ts).

import type { UnitKind } from '../model/desired.js';
import type { ObjectRef } from '../kube/object.js';

export const stateFormatVersion = 1;

export interface ObjectRecord {
  readonly unit: string;
  readonly cluster: string;
  readonly ref: ObjectRef;
  /**
   * pending: apply was about to send it (written before the request, so a crash between the
   * request and the next state write still knows whether meshctl created it).
   * applied: the API server accepted it.
   */
  readonly status: 'pending' | 'applied';
  /** True when the object was there before meshctl; destroy then only removes meshctl's fields. */
  readonly existedBefore: boolean;
  /** What meshctl last sent (Secret data as digests; unknowns resolved). */
  readonly applied?: unknown;
  readonly uid?: string;
  readonly resourceVersion?: string;
  /**
   * metadata.generation the server answered the apply with. The API server raises it on every
   * change of the spec, so an equal live generation means the spec is still what meshctl sent:
   * a plan then reads only the metadata of such objects (observe/observe.ts).
   */
  readonly generation?: number;
}

export interface UnitRecord {
  readonly id: string;
  readonly cluster: string;
  readonly kind: UnitKind;
  readonly dependsOn: readonly string[];
  readonly status: 'applying' | 'applied';
  /** Non-sensitive outputs (e.g. the east-west gateway address) as last observed. */
  readonly outputs: Readonly<Record<string, string>>;
}

/**
 * How meshctl reached a cluster when it last applied to it: a cluster taken out of mesh.yaml
 * is still reached through this to remove what meshctl made there. Names only, never
 * credentials (the kubeconfig file holds those).
 */
export interface ClusterConnection {
  readonly context: string;
  /** Absolute path of the kubeconfig file mesh.yaml named; absent: KUBECONFIG / ~/.kube/config. */
  readonly kubeconfig?: string;
}

export interface MeshState {
  readonly version: typeof stateFormatVersion;
  readonly meshctlVersion: string;
  /** Fixed when the state is first created; a plan or state from another lineage is foreign. */
  readonly lineage: string;
  /** Incremented on every write. */
  readonly serial: number;
  readonly meshID: string;
  /** Units in the order they were first applied (destroy walks it backwards). */
  readonly units: readonly UnitRecord[];
  /** Keyed by object address. */
  readonly objects: Readonly<Record<string, ObjectRecord>>;
  /**
   * By cluster name: every cluster that is in mesh.yaml or still has units or objects here.
   * Absent in states written before meshctl recorded it (such a cluster, once out of mesh.yaml,
   * is treated as unreachable: docs/model.md, "Remove a cluster").
   */
  readonly clusters?: Readonly<Record<string, ClusterConnection>>;
  /**
   * The Istio version the last completed apply installed (mesh.yaml's istio.version then). An
   * interrupted apply does not write it, so a half-done upgrade still counts as the old
   * version. Absent before a first apply completes, and in states written before it was kept.
   */
  readonly istio?: { readonly version: string };
}

export function emptyState(opts: { lineage: string; meshID: string; meshctlVersion: string }): MeshState {
  return { version: stateFormatVersion, meshctlVersion: opts.meshctlVersion, lineage: opts.lineage, serial: 0, meshID: opts.meshID, units: [], objects: {} };
}
