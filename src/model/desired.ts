// The desired state of the whole mesh as plain data: per cluster, the units of work that the
// Istio guides perform by hand, with the dependencies between them and the values that can only
// be known once an earlier unit has been applied. Produced by buildDesired(topology) (pure).

import type { KubeObject, ObjectRef } from '../kube/object.js';

/**
 * One step of the guide. Kinds are closed: every switch over UnitKind ends in assertNever.
 * - namespace: the Istio namespace and the metadata meshctl owns on it (network label,
 *   controlPlaneClusters annotation), applied before anything else in that cluster.
 * - cacerts: the plug-in CA Secret, before istiod first starts.
 * - crds: Istio's CustomResourceDefinitions, the CRD part of the control-plane IstioOperator's
 *   rendering (what Helm users install as the `base` chart). They depend on nothing, so a
 *   remote's CRDs go in while its primary is still being installed, instead of after it.
 * - control-plane: the IstioOperator for istiod (primary) or the remote profile (remote),
 *   all of its rendering but the CRDs.
 * - revision-tags: the revision tags (istio.revisionTags) pointing at this revision, as
 *   `istioctl tag set` makes them: a MutatingWebhookConfiguration and a Service per tag, and for
 *   the tag `default` the validating webhook istiod-default-validator. The part of the control
 *   plane's rendering labelled istio.io/tag, split off so that a tag moves to a new revision
 *   only once that revision's istiod is rolled out (a canary upgrade).
 * - eastwest-gateway: the IstioOperator for istio-eastwestgateway.
 * - expose-istiod: Gateway istiod-gateway + VirtualService istiod-vs (primary with remotes).
 * - expose-services: Gateway cross-network-gateway (multi-network).
 * - remote-reader: what `create-remote-secret` makes in the *source* cluster: the long-lived
 *   token Secret of the reader ServiceAccount (the ServiceAccount and its RBAC are rendered
 *   with the control plane).
 * - remote-secret: Secret istio-remote-secret-<cluster> in the *target* primary.
 * - istiod-leftovers: planned only when the mesh leaves a cluster (destroy, or the cluster
 *   leaves mesh.yaml), never built here: the istio-ca-root-cert ConfigMaps istiod wrote into
 *   every namespace for the mesh meshctl installed, deleted once no istiod can write them again.
 */
export const UNIT_KINDS = [
  'namespace',
  'cacerts',
  'crds',
  'control-plane',
  'revision-tags',
  'eastwest-gateway',
  'expose-istiod',
  'expose-services',
  'remote-reader',
  'remote-secret',
  'istiod-leftovers',
] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];

/**
 * A value that is only known after an earlier unit has been applied, Terraform's
 * "(known after apply)". Embedded wherever the value would go (inside objects or an
 * IstioOperator); the executor replaces it just before applying the unit that needs it.
 * `sensitive` values (tokens, keys) are never written to a plan, the state or output.
 */
export interface Unknown {
  readonly $unknown: {
    /** Unit id that produces the value, e.g. "cluster1/eastwest-gateway". */
    readonly unit: string;
    /** Output name on that unit, e.g. "address" or "token". */
    readonly output: OutputName;
    readonly sensitive?: boolean;
  };
}

/** Values units produce for later units. */
export type OutputName =
  /** First LoadBalancer ingress IP (or hostname) of the east-west gateway Service. */
  | 'address'
  /** The reader ServiceAccount token (sensitive). */
  | 'token'
  /** The source cluster's CA bundle as the remote kubeconfig needs it. */
  | 'caData'
  /** cacerts material for a cluster (sensitive). */
  | 'cacerts';

export function isUnknown(v: unknown): v is Unknown {
  return typeof v === 'object' && v !== null && '$unknown' in v;
}

/**
 * What must be true before dependants of a unit may start. `cluster` names the cluster to
 * check when it is not the unit's own (a remote secret applied in the primary is waited on by
 * watching the remote's webhook).
 */
export type WaitFor = { readonly cluster?: string } & (
  | { readonly kind: 'deployment-available'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'loadbalancer-address'; readonly namespace: string; readonly name: string }
  | { readonly kind: 'crds-established'; readonly names: readonly string[] }
  /** istiod in the controlling primary has patched the remote's injection webhook caBundle. */
  | { readonly kind: 'webhook-cabundle'; readonly name: string }
  /** The token controller has filled the reader token Secret. */
  | { readonly kind: 'token-populated'; readonly namespace: string; readonly name: string }
  /**
   * Planned for deletions, as `kubectl delete` waits: deleted Namespaces and CRDs finalise for a
   * while, and an apply right after a destroy would meet them terminating. A CRD whose
   * finalizer stalls is annotated (meshctl.io/finalizer-retry) to queue it again.
   */
  | { readonly kind: 'gone'; readonly refs: readonly ObjectRef[] }
);

export const WAIT_KINDS = ['deployment-available', 'loadbalancer-address', 'crds-established', 'webhook-cabundle', 'token-populated', 'gone'] as const satisfies readonly WaitFor['kind'][];

export interface IstioOperatorSpec {
  apiVersion: 'install.istio.io/v1alpha1';
  kind: 'IstioOperator';
  metadata: { name: string; namespace?: string };
  spec: Record<string, unknown>;
}

export interface Unit {
  /**
   * "<cluster>/<kind>" (remote-secret: "<target>/remote-secret/<source>"; a revisioned control
   * plane: "<cluster>/control-plane/<revision>").
   */
  readonly id: string;
  /** The cluster whose API receives this unit's objects. */
  readonly cluster: string;
  readonly kind: UnitKind;
  /** Unit ids that must be applied (and their waits satisfied) first; any cluster. */
  readonly dependsOn: readonly string[];
  /**
   * Unit ids that must be applied first only while this unit is being installed: it needs
   * their outputs, or what they route, to exist. When both were installed by a completed apply,
   * this unit has no unknown value left and they change no object's existence (updates only),
   * an update of this unit need not wait for them, and the planner drops the edge
   * (src/planner/unit-order.ts). A remote's control plane and its primary's east-west gateway.
   */
  readonly installDependsOn?: readonly string[];
  /**
   * Unit ids that go first when their install edges to this unit were dropped: the upgrade
   * order where it is not the install order (the east-west gateway, a proxy, moves after the
   * remotes' control planes it carries traffic to, as Istio upgrades control planes first).
   */
  readonly updatesAfter?: readonly string[];
  /**
   * Objects applied literally. For rendered units (control-plane, eastwest-gateway) this is
   * empty in the model: the renderer fills it from `istioOperator` with `istioctl manifest
   * generate`. Values may contain Unknown markers.
   */
  readonly objects: readonly KubeObject[];
  /** Present on rendered units. May contain Unknown markers (e.g. remotePilotAddress). */
  readonly istioOperator?: IstioOperatorSpec;
  /**
   * Which part of the IstioOperator's rendering is this unit's (absent: all of it). The crds
   * and control-plane units render the same IstioOperator (one istioctl run, one cache entry)
   * and split it by kind.
   */
  readonly renderPart?: RenderPart;
  readonly waits: readonly WaitFor[];
  /** Outputs this unit provides to others (read from the cluster after apply). */
  readonly outputs: readonly OutputName[];
  /**
   * remote-secret units only: the kubeconfig that `istioctl create-remote-secret` would put
   * under `data[dataKey]`. The Secret object carries a sensitive Unknown in that key; the
   * executor resolves this template's Unknowns and calls renderRemoteKubeconfig() from
   * src/model/remote-kubeconfig.ts to get the text to store there.
   */
  readonly remoteKubeconfig?: RemoteKubeconfigTemplate;
}

export type RenderPart = 'crds' | 'all-but-crds' | 'revision-tags';

/** Where the API server URL of a remote secret's kubeconfig comes from. */
export type KubeconfigServer =
  /** `apiServer` from mesh.yaml (what `create-remote-secret --server` would pass). */
  | { readonly kind: 'url'; readonly url: string }
  /**
   * The `server` of the source cluster's kubeconfig context, read at apply time: what
   * `create-remote-secret` uses when no --server is given.
   */
  | { readonly kind: 'kubeconfig'; readonly cluster: string; readonly context: string };

/** The fields of a `create-remote-secret` kubeconfig, some of them known only after apply. */
export interface RemoteKubeconfigTemplate {
  /** Data key of the Secret that receives the kubeconfig: the source cluster's ID. */
  readonly dataKey: string;
  /** Name of the kubeconfig's only cluster, user and context (the source cluster's ID). */
  readonly clusterName: string;
  readonly server: KubeconfigServer;
  /** Unknown: the source reader token Secret's `ca.crt`, base64 as stored in the Secret. */
  readonly certificateAuthorityData: Unknown;
  /** Unknown (sensitive): the decoded reader ServiceAccount token. */
  readonly token: Unknown;
}

/** buildDesired(topology) returns this; diagnostics cover models that cannot be built yet. */
export interface DesiredResult {
  readonly desired: Desired;
  readonly diagnostics: readonly import('../diagnostics.js').Diagnostic[];
}

export interface Desired {
  readonly meshID: string;
  /** Sorted: by cluster, then by a fixed kind order. */
  readonly units: readonly Unit[];
  /**
   * Units of earlier revisions mesh.yaml keeps (istio.keepRevisions): not built, not removed;
   * what the state records of them is left as it is.
   */
  readonly kept: readonly string[];
}

export function assertNever(x: never, what = 'value'): never {
  throw new Error(`unexpected ${what} ${JSON.stringify(x)}: this is a bug in meshctl, please report it`);
}
