// verify's revision-tag check: each tag of istio.revisionTags, in every cluster, is the webhook
// `istioctl tag set` makes, points at the revision mesh.yaml installs, and has been patched by
// that revision's istiod (its caBundle), so pods in namespaces using the tag get that proxy.
import type { Topology } from '../config/topology.js';
import { revisioned } from '../model/names.js';
import type { ClusterFacts } from '../observe/verify-facts.js';
import type { CheckResult } from './checks.js';

interface TagHook {
  readonly clientConfig?: { readonly caBundle?: string; readonly url?: string; readonly service?: { readonly name?: string } };
}

export function revisionTagChecks(t: Topology, f: ClusterFacts, controller: string, fix: string): CheckResult[] {
  const revision = t.istio.revision;
  return t.istio.revisionTags.map((tag) => {
    const name = `istio-revision-tag-${tag}`;
    const base = { check: 'revision-tag', scope: `${f.cluster} ${tag}` };
    const hook = f.tagWebhooks.find((w) => w.metadata.name === name);
    if (!hook) return { ...base, status: 'fail', summary: `no revision tag ${tag} (MutatingWebhookConfiguration ${name}) in ${f.cluster}`, fix };
    const points = hook.metadata.labels?.['istio.io/rev'];
    if (points !== revision) return { ...base, status: 'fail', summary: `revision tag ${tag} in ${f.cluster} points at revision ${points ?? '(none)'}, not ${revision}`, fix };
    const hooks = ((hook as { webhooks?: TagHook[] }).webhooks ?? []).map((h) => h.clientConfig ?? {});
    const istiod = revisioned('istiod', revision);
    const elsewhere = hooks.filter((c) => c.url === undefined && c.service?.name !== istiod);
    if (hooks.length === 0 || elsewhere.length > 0) return { ...base, status: 'fail', summary: `revision tag ${tag} in ${f.cluster} does not call ${istiod}`, fix };
    if (hooks.some((c) => !c.caBundle))
      return {
        ...base,
        status: 'fail',
        summary: `revision tag ${tag} in ${f.cluster} has no caBundle: ${istiod} of ${controller} has not patched it`,
        fix: `Check that ${istiod} in ${controller} is running, and its logs; then verify again.`,
      };
    return { ...base, status: 'pass', summary: `revision tag ${tag} in ${f.cluster} → ${revision}, patched by ${istiod} of ${controller}` };
  });
}
