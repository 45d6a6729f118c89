// The plug-in CA Secret of "before you begin": four PEM files under the keys istiod reads. The
// material is built elsewhere (trust) and is secret, so every key is a sensitive Unknown that
// the executor fills just before applying; the plan never shows it.
import type { KubeObject } from '../kube/object.js';
import type { Unit, Unknown } from './desired.js';
import { CACERTS_KEYS, ISTIO_NAMESPACE } from './names.js';
import type { UnitContext } from './unit-context.js';
import { unitId } from './unit-id.js';

export function cacertsUnit(ctx: UnitContext): Unit {
  const id = unitId(ctx.cluster.name, 'cacerts');
  // The unit produces its own material: the executor reads it from the trust store for this
  // cluster, keyed by the data key. A fresh marker per key: units share no references.
  const material = (): Unknown => ({ $unknown: { unit: id, output: 'cacerts', sensitive: true } });
  const secret: KubeObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'cacerts', namespace: ISTIO_NAMESPACE },
    type: 'Opaque',
    data: Object.fromEntries(CACERTS_KEYS.map((key) => [key, material()])),
  };
  return {
    id,
    cluster: ctx.cluster.name,
    kind: 'cacerts',
    dependsOn: [unitId(ctx.cluster.name, 'namespace')],
    objects: [secret],
    waits: [],
    outputs: ['cacerts'],
  };
}
