// The revision tags of istio.revisionTags, as `istioctl tag set <tag> --revision <rev>` makes
// them (istioctl/pkg/tag/generate.go renders the istiod chart's revision-tags templates): per
// tag a MutatingWebhookConfiguration istio-revision-tag-<tag> and a Service
// istiod-revision-tag-<tag>, both labelled istio.io/tag; for the tag `default` also the
// validating webhook istiod-default-validator (the base chart, values.defaultRevision).
// They are the control plane's rendering, split off into a unit of their own that follows the
// control plane: in a canary upgrade the tags move to the new revision only once its istiod is
// rolled out, and the old revision is removed only after that (planner/plan-mesh.ts).
import type { KubeObject } from '../kube/object.js';
import type { Unit, WaitFor } from './desired.js';
import { controllerOf, type UnitContext } from './unit-context.js';
import { remoteSecretId, unitId } from './unit-id.js';

/** The label the chart puts on every tag object. */
export const TAG_LABEL = 'istio.io/tag';
/** The validating webhook of the default tag (pkg/revisions/tag_watcher.go reads it by name). */
export const DEFAULT_VALIDATOR = 'istiod-default-validator';

export function revisionTagsUnit(ctx: UnitContext, controlPlane: Unit): Unit {
  const cluster = ctx.cluster.name;
  const controller = controllerOf(ctx);
  // istiod patches the caBundle of every webhook labelled with its revision, a remote's
  // through the remote secret of its controlling primary (pkg/webhooks/webhookpatch.go): the
  // tag serves injection once that has landed.
  const waits: WaitFor[] = ctx.topology.istio.revisionTags.map((tag) => ({ kind: 'webhook-cabundle', name: `istio-revision-tag-${tag}` }));
  return {
    id: unitId(cluster, 'revision-tags'),
    cluster,
    kind: 'revision-tags',
    dependsOn: [controlPlane.id, ...(controller ? [remoteSecretId(controller, cluster)] : [])],
    objects: [],
    istioOperator: controlPlane.istioOperator!,
    renderPart: 'revision-tags',
    waits,
    outputs: [],
  };
}

/**
 * A tag object of the rendering. The default validator counts only when it points at a
 * revision (values.defaultRevision): an unrevisioned control plane renders it as its own.
 */
export function isRevisionTagObject(o: KubeObject): boolean {
  const labels = o.metadata.labels ?? {};
  if (labels[TAG_LABEL] !== undefined) return true;
  return o.kind === 'ValidatingWebhookConfiguration' && o.metadata.name === DEFAULT_VALIDATOR && labels['istio.io/rev'] !== undefined && labels['istio.io/rev'] !== 'default';
}
