// Revision tags and kept revisions in the model: the tags are their own unit after the control
// plane (and, in a remote, after the remote secret that lets its primary patch the webhook);
// each revision is a control-plane unit of its own; kept revisions are named, not built.
import { describe, expect, it } from 'vitest';
import { buildDesired } from '../../../src/model/build.js';
import { isRevisionTagObject } from '../../../src/model/revision-tags.js';
import { guideTopology, istio, multiPrimaryTopology } from './fixtures.js';
import { ids, plain, unitById } from './units.js';

const tagged = guideTopology({ istio: istio('1.31.0', { revision: '1-31-0', revisionTags: ['default', 'prod'], keepRevisions: ['1-30-5'] }) });
const { desired } = buildDesired(tagged);

describe('revision tags', () => {
  it('are a unit per cluster after that cluster’s control plane', () => {
    expect(ids(desired).filter((id) => id.includes('control-plane') || id.includes('revision-tags'))).toEqual([
      'cluster1/control-plane/1-31-0',
      'cluster1/revision-tags',
      'cluster2/control-plane/1-31-0',
      'cluster2/revision-tags',
    ]);
    expect(unitById(desired, 'cluster1/revision-tags').dependsOn).toEqual(['cluster1/control-plane/1-31-0']);
    expect(unitById(desired, 'cluster2/revision-tags').dependsOn).toEqual(['cluster2/control-plane/1-31-0', 'cluster1/remote-secret/cluster2']);
  });

  it('wait until istiod has patched each tag’s webhook', () => {
    expect(unitById(desired, 'cluster2/revision-tags').waits).toEqual([
      { kind: 'webhook-cabundle', name: 'istio-revision-tag-default' },
      { kind: 'webhook-cabundle', name: 'istio-revision-tag-prod' },
    ]);
  });

  it('render from the control plane’s own IstioOperator, with the chart’s revisionTags and the default validator', () => {
    const cp = unitById(desired, 'cluster1/control-plane/1-31-0');
    const tags = unitById(desired, 'cluster1/revision-tags');
    expect(tags.istioOperator).toBe(cp.istioOperator);
    expect([cp.renderPart, tags.renderPart]).toEqual(['all-but-crds', 'revision-tags']);
    expect(plain(cp.istioOperator!.spec.values)).toMatchObject({ revisionTags: ['default', 'prod'], defaultRevision: '1-31-0' });
  });

  it('without the tag default, leaves the default validator alone', () => {
    const prod = buildDesired(guideTopology({ istio: istio('1.31.0', { revision: '1-31-0', revisionTags: ['prod'] }) })).desired;
    expect(plain(unitById(prod, 'cluster1/control-plane/1-31-0').istioOperator!.spec.values)).not.toHaveProperty('defaultRevision');
  });

  it('are no unit at all when mesh.yaml declares none', () => {
    expect(ids(buildDesired(multiPrimaryTopology()).desired).some((id) => id.endsWith('/revision-tags'))).toBe(false);
  });
});

describe('which rendered objects are the tags', () => {
  const obj = (kind: string, name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind, metadata: { name, labels } });
  it('takes what the chart labels istio.io/tag, and the default validator only when it points at a revision', () => {
    expect(isRevisionTagObject(obj('MutatingWebhookConfiguration', 'istio-revision-tag-default', { 'istio.io/tag': 'default', 'istio.io/rev': '1-31-0' }))).toBe(true);
    expect(isRevisionTagObject(obj('Service', 'istiod-revision-tag-prod', { 'istio.io/tag': 'prod' }))).toBe(true);
    expect(isRevisionTagObject(obj('ValidatingWebhookConfiguration', 'istiod-default-validator', { 'istio.io/rev': '1-31-0' }))).toBe(true);
    // An unrevisioned control plane renders the validator as its own (install-extras.ts).
    expect(isRevisionTagObject(obj('ValidatingWebhookConfiguration', 'istiod-default-validator', { 'istio.io/rev': 'default' }))).toBe(false);
    expect(isRevisionTagObject(obj('MutatingWebhookConfiguration', 'istio-sidecar-injector-1-31-0', { 'istio.io/rev': '1-31-0' }))).toBe(false);
  });
});

describe('kept revisions', () => {
  it('name the control planes of the earlier revision in every cluster, and build none of them', () => {
    expect(desired.kept).toEqual(['cluster1/control-plane/1-30-5', 'cluster2/control-plane/1-30-5']);
    expect(ids(desired).some((id) => id.endsWith('/1-30-5'))).toBe(false);
  });

  it('default names the unrevisioned control plane', () => {
    const fromDefault = buildDesired(guideTopology({ istio: istio('1.31.0', { revision: '1-31-0', keepRevisions: ['default'] }) })).desired;
    expect(fromDefault.kept).toEqual(['cluster1/control-plane', 'cluster2/control-plane']);
  });

  it('keep a route through the east-west gateway to each kept istiod, each narrowed to its own', () => {
    const vs = unitById(desired, 'cluster1/expose-istiod').objects.filter((o) => o.kind === 'VirtualService');
    expect(vs.map((o) => o.metadata.name)).toEqual(['istiod-vs-1-31-0', 'istiod-vs-1-30-5']);
    const fromDefault = buildDesired(guideTopology({ istio: istio('1.31.0', { revision: '1-31-0', keepRevisions: ['default'] }) })).desired;
    const unrevisioned = unitById(fromDefault, 'cluster1/expose-istiod').objects.find((o) => o.metadata.name === 'istiod-vs')!;
    expect(plain(unrevisioned)).toMatchObject({ spec: { tls: [{ match: [{ port: 15012, sniHosts: ['istiod.istio-system.svc', 'istiod.istio-system.svc.cluster.local'] }] }, {}] } });
  });
});
