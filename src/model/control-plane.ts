// The control-plane IstioOperator: the guide's cluster1.yaml for a primary and cluster2.yaml
// for a remote, field for field, plus what meshctl must add (see docs/model.md):
// - metadata.name, because `istioctl install` prunes by owner labels and an unnamed
//   control-plane IOP prunes the separately installed east-west gateway (istio/istio#36982);
// - the external-istiod switch in the form the target Istio version understands;
// - revision, and hub/tag when they differ from the defaults istioctl would use anyway.
// The renderer turns it into objects later (`istioctl manifest generate`).
import type { IstioSettings } from '../config/topology.js';
import { deepMerge, type PlainObject } from './deep-merge.js';
import type { IstioOperatorSpec, Unit, Unknown, WaitFor } from './desired.js';
import { CONTROL_PLANE_IOP_NAME, ISTIO_NAMESPACE, revisioned } from './names.js';
import { controllerOf, type UnitContext } from './unit-context.js';
import { controlPlaneId, unitId } from './unit-id.js';

/** istioctl's own default image hub; the tag defaults to the Istio version. */
export const DEFAULT_HUB = 'docker.io/istio';

/** CRDs later units in the same cluster create objects of (expose-istiod, expose-services). */
const ISTIO_CRDS_USED = ['gateways.networking.istio.io', 'virtualservices.networking.istio.io'];

/**
 * The CRDs of the control plane's rendering, as their own unit. Nothing in them depends on
 * other clusters (a remote's remotePilotAddress only reaches istiod's and the webhook's
 * objects), so they need no earlier unit: in the guide's topology the remote's CRDs are applied
 * while the primary's control plane and gateway come up, off the critical path (what that gains,
 * and why the local bench cannot show it: docs/benchmarks.md (b)). A rendering that still holds
 * the unknown gateway address is rendered with a placeholder (render/resolve.ts), and no CRD
 * contains it.
 */
export function crdsUnit(ctx: UnitContext, controlPlane: Unit): Unit {
  return {
    id: unitId(ctx.cluster.name, 'crds'),
    cluster: ctx.cluster.name,
    kind: 'crds',
    dependsOn: [],
    objects: [],
    istioOperator: controlPlane.istioOperator!,
    renderPart: 'crds',
    waits: [{ kind: 'crds-established', names: [...ISTIO_CRDS_USED] }],
    outputs: [],
  };
}

export function controlPlaneUnit(ctx: UnitContext): Unit {
  const { cluster, topology } = ctx;
  const controller = controllerOf(ctx);
  const generated = withRevisionTags(controller ? remoteSpec(ctx, controller) : primarySpec(ctx), topology.istio);
  const spec = cluster.istioOperatorOverlay ? deepMerge(generated, cluster.istioOperatorOverlay) : generated;
  const istioOperator: IstioOperatorSpec = {
    apiVersion: 'install.istio.io/v1alpha1',
    kind: 'IstioOperator',
    metadata: { name: CONTROL_PLANE_IOP_NAME },
    spec,
  };
  const waits: WaitFor[] = [];
  // A remote runs no istiod: there is nothing to wait for.
  if (!controller) {
    waits.push({
      kind: 'deployment-available',
      namespace: ISTIO_NAMESPACE,
      name: revisioned('istiod', topology.istio.revision),
    });
  }
  return {
    id: controlPlaneId(cluster.name, topology.istio.revision),
    cluster: cluster.name,
    kind: 'control-plane',
    dependsOn: [
      unitId(cluster.name, 'namespace'),
      ...(topology.trust.mode === 'none' ? [] : [unitId(cluster.name, 'cacerts')]),
      unitId(cluster.name, 'crds'),
      // A remote's configuration follows its primary's control plane, on install and upgrade.
      ...(controller ? [controlPlaneId(controller, topology.istio.revision)] : []),
    ],
    // cluster2.yaml needs the primary's east-west address, and the remote's proxies and
    // webhook reach istiod only once expose-istiod routes 15012/15017 through it: needed to
    // install, not to upgrade, where the gateway moves after this unit (updatesAfter).
    ...(controller ? { installDependsOn: [unitId(controller, 'eastwest-gateway'), unitId(controller, 'expose-istiod')] } : {}),
    objects: [],
    istioOperator,
    renderPart: 'all-but-crds',
    waits,
    outputs: [],
  };
}

/** cluster1.yaml: meshID, cluster name and network; external istiod when it serves remotes. */
function primarySpec(ctx: UnitContext): PlainObject {
  const { cluster, topology, shape } = ctx;
  const global: PlainObject = {
    meshID: topology.meshID,
    multiCluster: { clusterName: cluster.name },
    network: cluster.network,
  };
  const values: PlainObject = { global };
  if (shape.controllers.has(cluster.name)) {
    if (supportsGlobalExternalIstiod(topology.istio)) {
      global.externalIstiod = true;
    } else {
      values.pilot = { env: { EXTERNAL_ISTIOD: true } };
    }
  }
  return { ...installSettings(topology.istio), values };
}

/**
 * cluster2.yaml. meshID, clusterName and network are deliberately absent, as in the guide: the
 * remote profile renders no istiod, mesh ConfigMap or gateway that would read them; the
 * remote's cluster ID and network reach its proxies through the injection path, and the
 * namespace unit sets the network label.
 */
function remoteSpec(ctx: UnitContext, controller: string): PlainObject {
  const { cluster, topology } = ctx;
  const discoveryAddress: Unknown = { $unknown: { unit: unitId(controller, 'eastwest-gateway'), output: 'address' } };
  return {
    ...installSettings(topology.istio),
    profile: 'remote',
    values: {
      istiodRemote: { injectionPath: `/inject/cluster/${cluster.name}/net/${cluster.network}` },
      global: { remotePilotAddress: discoveryAddress },
    },
  };
}

/**
 * `values.global.externalIstiod` is mapped to istiod's EXTERNAL_ISTIOD env by the chart only
 * from 1.24 (istio/istio#53600); older charts need the env set directly, as the guide does.
 */
export function supportsGlobalExternalIstiod(istio: Pick<IstioSettings, 'semver'>): boolean {
  const [major, minor] = istio.semver;
  return major > 1 || (major === 1 && minor >= 24);
}

/** revision, hub and tag; hub/tag only when not what istioctl of that version uses anyway. */
function installSettings(istio: IstioSettings): PlainObject {
  return {
    ...(istio.revision ? { revision: istio.revision } : {}),
    ...(istio.hub !== DEFAULT_HUB ? { hub: istio.hub } : {}),
    ...(istio.tag !== istio.version ? { tag: istio.tag } : {}),
  };
}

/**
 * The chart's own revision tags (values.revisionTags, what Helm users set): the same webhook and
 * Service `istioctl tag set` generates from them (istioctl/pkg/tag/generate.go renders this
 * template). Merged into the values of either spec; the revision-tags unit takes that part.
 */
function withRevisionTags(spec: PlainObject, istio: IstioSettings): PlainObject {
  if (istio.revisionTags.length === 0) return spec;
  // The tag `default` also validates config without an istio.io/rev label: the base chart's
  // istiod-default-validator, pointed at this revision (istioctl tag set default does the same).
  const defaultRevision = istio.revision && istio.revisionTags.includes('default') ? { defaultRevision: istio.revision } : {};
  return deepMerge(spec, { values: { revisionTags: [...istio.revisionTags], ...defaultRevision } });
}
