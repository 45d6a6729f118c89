// Properties of the planner over generated inputs (aws-cdk's "diffing any two arbitrary
// templates should not crash", and the architecture's "plan after apply is empty").
import { unitChanges } from '../../../src/planner/plan.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../src/kube/object.js';
import type { Unit } from '../../../src/model/desired.js';
import { waves } from '../../../src/planner/graph.js';
import type { ObjectRecord } from '../../../src/state/state.js';
import { addressIn, live, liveMap, planOf, stateAfterApply, unit } from '../support/mesh-fixtures.js';

const key = fc.constantFrom('a', 'b', 'mode', 'port', 'name', 'x.io/y', 'with~tilde', 'with/slash', 'value');
const scalar = fc.oneof(fc.string({ maxLength: 6 }), fc.integer({ min: -5, max: 70000 }), fc.boolean());

/** JSON-like values; no nulls or empty containers (they are covered by their own scenario). */
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('v'), { minLength: 1, maxLength: 3 }), fc.dictionary(key, tie('v'), { minKeys: 1, maxKeys: 3 })),
})).v;

const kinds = ['ConfigMap', 'Deployment', 'Service', 'Gateway', 'MutatingWebhookConfiguration', 'Secret', 'Namespace'] as const;

const objectArb: fc.Arbitrary<KubeObject> = fc
  .record({
    kind: fc.constantFrom(...kinds),
    name: fc.constantFrom('istiod', 'gw', 'reader', 'cacerts'),
    ns: fc.constantFrom('istio-system', 'other'),
    labels: fc.option(fc.dictionary(key, fc.string({ maxLength: 4 }), { minKeys: 1, maxKeys: 2 }), { nil: undefined }),
    spec: fc.dictionary(key, value, { minKeys: 1, maxKeys: 3 }),
    secretData: fc.dictionary(fc.constantFrom('token', 'ca.crt', 'key'), fc.string({ minLength: 1, maxLength: 8 }), { minKeys: 1, maxKeys: 2 }),
  })
  .map((r) => {
    const apiVersion = r.kind === 'Deployment' ? 'apps/v1' : r.kind === 'Gateway' ? 'networking.istio.io/v1' : r.kind === 'MutatingWebhookConfiguration' ? 'admissionregistration.k8s.io/v1' : 'v1';
    const clusterScoped = r.kind === 'Namespace' || r.kind === 'MutatingWebhookConfiguration';
    const metadata = { name: r.name, ...(clusterScoped ? {} : { namespace: r.ns }), ...(r.labels ? { labels: r.labels } : {}) };
    if (r.kind === 'Secret') {
      return { apiVersion, kind: r.kind, metadata, data: Object.fromEntries(Object.entries(r.secretData).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) };
    }
    if (r.kind === 'MutatingWebhookConfiguration') {
      return { apiVersion, kind: r.kind, metadata, webhooks: [{ name: 'w', clientConfig: { service: { name: 'istiod' } }, extra: r.spec }] };
    }
    return { apiVersion, kind: r.kind, metadata, spec: r.spec };
  });

/** Where a server adds fields: a random path of keys that exist in the object, then a new key. */
type Extra = { readonly at: readonly number[]; readonly key: string; readonly value: unknown };
const extraArb: fc.Arbitrary<Extra> = fc.record({
  at: fc.array(fc.nat(5), { maxLength: 5 }),
  key: fc.constantFrom('defaulted', 'status2', 'clusterIP', 'caBundle', 'protocol'),
  value: value,
});

/** Adds `extra` somewhere inside `o` where the key is not already present (a server default). */
function addServerField(o: KubeObject, extra: Extra): KubeObject {
  const copy = structuredClone(o) as Record<string, unknown>;
  let at: unknown = copy;
  for (const step of extra.at) {
    const children = Array.isArray(at) ? at : at && typeof at === 'object' ? Object.values(at) : [];
    const containers = children.filter((c) => c && typeof c === 'object' && !('$sensitive' in (c as object)));
    if (containers.length === 0) break;
    at = containers[step % containers.length];
  }
  if (at && typeof at === 'object' && !Array.isArray(at) && !(extra.key in at) && at !== (copy.data as unknown)) {
    (at as Record<string, unknown>)[extra.key] = extra.value;
  }
  return copy as KubeObject;
}

/** Units in one cluster, a chain namespace → control-plane → remote-secret; `raw` keeps Secret values (units hold digests). */
const meshArb: fc.Arbitrary<{ units: Unit[]; raw: KubeObject[] }> = fc
  .uniqueArray(objectArb, { selector: (o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, minLength: 1, maxLength: 5 })
  .chain((objs) =>
    fc.array(fc.constantFrom(0, 1, 2), { minLength: objs.length, maxLength: objs.length }).map((where) => {
      const kinds = ['namespace', 'control-plane', 'remote-secret'] as const;
      const units = kinds.map((kind, i) => unit({ cluster: 'c1', kind, dependsOn: i === 0 ? [] : [`c1/${kinds[i - 1]}`], objects: objs.filter((_, j) => where[j] === i) }));
      return { units, raw: objs };
    }),
  );

describe('planner properties', () => {
  it('plans only noops against live objects that are `after` plus server fields (plan after apply is empty)', () => {
    fc.assert(
      fc.property(meshArb, fc.array(extraArb, { maxLength: 6 }), fc.boolean(), ({ units, raw }, extras, withState) => {
        // The cluster holds the real secret; observation masks it (liveMap).
        const liveObjects = raw.map((o, i) => extras.filter((_, j) => j % raw.length === i).reduce(addServerField, live(o)));
        const plan = planOf({ units, live: liveMap('c1', liveObjects), prior: withState ? stateAfterApply(units) : null });
        const acting = plan.changes.filter((c) => c.action !== 'noop');
        expect(acting.map((c) => ({ address: c.address, patch: c.patch }))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws for any mix of desired, live and prior, and every change belongs to a planned unit', () => {
    const recordArb = fc.record({ status: fc.constantFrom('pending', 'applied') as fc.Arbitrary<ObjectRecord['status']>, existedBefore: fc.boolean(), keepApplied: fc.boolean() });
    fc.assert(
      fc.property(
        meshArb,
        meshArb,
        fc.subarray([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
        fc.array(recordArb, { minLength: 15, maxLength: 15 }),
        fc.constantFrom('apply', 'destroy', 'refresh-only') as fc.Arbitrary<'apply' | 'destroy' | 'refresh-only'>,
        fc.boolean(),
        ({ units: wantedUnits, raw: wantedRaw }, { units: priorUnits, raw: priorRaw }, liveIdx, recs, mode, dropUnitRecord) => {
          const priorObjects = priorUnits.flatMap((u) => u.objects.map((o) => ({ u, o })));
          const state = stateAfterApply(priorUnits);
          const objects = Object.fromEntries(
            priorObjects.map(({ u, o }, i) => {
              const r = recs[i % recs.length]!;
              return [addressIn(u.cluster, o), { ...state.objects[addressIn(u.cluster, o)]!, status: r.status, existedBefore: r.existedBefore, applied: r.keepApplied ? o : undefined }];
            }),
          );
          const prior = { ...state, objects, units: dropUnitRecord ? state.units.slice(1) : state.units };
          const liveObjects = [...wantedRaw, ...priorRaw].filter((_, i) => liveIdx.includes(i % 10)).map((o) => live(o));
          const plan = planOf({ mode, units: wantedUnits, live: liveMap('c1', liveObjects), prior });
          const unitIds = new Set(plan.units.map((u) => u.id));
          for (const c of plan.changes) expect(unitIds.has(c.unit), `${c.address} in unit ${c.unit}`).toBe(true);
          // Every change is listed by exactly one unit, and no address is planned twice.
          const listed = plan.units.flatMap(unitChanges);
          expect([...listed].sort()).toEqual(plan.changes.map((c) => c.address).sort());
          expect(new Set(listed).size).toBe(listed.length);
          const s = plan.summary;
          expect(s.add + s.change + s.destroy + s.forget).toBe(plan.changes.filter((c) => c.action !== 'noop').length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('puts every node after all of its dependencies in waves', () => {
    const dagArb = fc
      .integer({ min: 1, max: 12 })
      .chain((n) =>
        fc
          .tuple(...Array.from({ length: n }, (_, i) => fc.subarray(Array.from({ length: i }, (__, j) => `n${j}`))))
          .map((deps) => deps.map((d, i) => ({ id: `n${i}`, dependsOn: [...d, 'outside-the-graph'] }))),
      );
    fc.assert(
      fc.property(
        dagArb.chain((nodes) => fc.shuffledSubarray(nodes, { minLength: nodes.length, maxLength: nodes.length })),
        (nodes) => {
          const ws = waves(nodes);
          const waveOf = new Map(ws.flatMap((w, i) => w.map((id) => [id, i] as const)));
          expect(waveOf.size).toBe(nodes.length);
          for (const n of nodes) {
            for (const d of n.dependsOn) if (waveOf.has(d)) expect(waveOf.get(d)!).toBeLessThan(waveOf.get(n.id)!);
            // As early as possible: wave 0, or right after its latest dependency.
            const deps = n.dependsOn.filter((d) => waveOf.has(d)).map((d) => waveOf.get(d)!);
            expect(waveOf.get(n.id)).toBe(deps.length ? Math.max(...deps) + 1 : 0);
          }
        },
      ),
    );
  });
});
