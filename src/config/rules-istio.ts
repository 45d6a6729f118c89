// Rules about the Istio install as a whole: version, data-plane mode, trust.
import { finding, type Rule } from './finding.js';
import { checkIstioVersion } from './istio-versions.js';

/** Behaviour is pinned per minor; an unknown minor is refused rather than guessed at. */
const supportedVersion: Rule = (ctx) => {
  const verdict = checkIstioVersion(ctx.mesh.istio.version);
  if (verdict.ok) return [];
  return [
    finding(ctx, 'error', {
      path: ['istio', 'version'],
      summary: 'Unsupported Istio version',
      detail: verdict.reason,
      hint: 'Pick a release of a supported minor, e.g. "1.31.0".',
    }),
  ];
};

/** Ambient multi-cluster fits the format; apply only knows the sidecar guides so far. */
const experimentalDataPlane: Rule = (ctx) =>
  ctx.mesh.istio.dataPlaneMode === 'ambient'
    ? [
        finding(ctx, 'warning', {
          path: ['istio', 'dataPlaneMode'],
          summary: 'Not supported by apply yet',
          detail: 'dataPlaneMode ambient is validated, but meshctl cannot plan or apply ambient meshes yet. Istio documents ambient multi-cluster for multi-primary on multiple networks only.',
        }),
      ]
    : [];

/**
 * Cross-cluster mTLS needs one root of trust; with trust: none and no plug-in CA of the user's
 * own, every istiod self-signs a different root (istio-multicluster.md §2, §8 row 11).
 */
const sharedTrust: Rule = (ctx) => {
  if (ctx.mesh.trust?.none === undefined || Object.keys(ctx.mesh.clusters).length < 2) return [];
  return [
    finding(ctx, 'warning', {
      path: ['trust', 'none'],
      target: 'key',
      summary: 'No shared root of trust',
      detail:
        'With trust: none meshctl installs no cacerts. Unless you plug in certificates from one root CA yourself before installing, each istiod self-signs its own root and cross-cluster mTLS fails.',
      hint: 'Use trust: { generated: {} } to let meshctl create a shared root CA.',
    }),
  ];
};

/**
 * A tag points at a revision (the chart renders it only beside a revisioned istiod), and tags
 * and revisions share one namespace of names: `istio.io/rev=<x>` must mean one control plane
 * (istioctl tag set refuses a tag named as an existing revision).
 */
const revisionTags: Rule = (ctx) => {
  const { revision, revisionTags: tags = [], keepRevisions: kept = [] } = ctx.mesh.istio;
  const out = [];
  if (tags.length > 0 && revision === undefined) {
    out.push(
      finding(ctx, 'error', {
        path: ['istio', 'revisionTags'],
        target: 'key',
        summary: 'Revision tags need a revision',
        detail: 'A revision tag points at a revisioned control plane; this mesh installs the default, unrevisioned one, which already serves istio-injection=enabled.',
        hint: 'Set istio.revision (e.g. "1-31-0"), or remove revisionTags.',
      }),
    );
  }
  tags.forEach((tag, i) => {
    if (tag !== revision && !kept.includes(tag)) return;
    out.push(
      finding(ctx, 'error', {
        path: ['istio', 'revisionTags', i],
        summary: 'A tag named as a revision',
        detail: `The tag ${tag} has the name of ${tag === revision ? 'the revision installed' : 'a revision kept'}: istio.io/rev=${tag} would mean two control planes. istioctl tag set refuses the same ("found existing control plane revision with same name", istioctl/pkg/tag/generate.go).`,
        hint: 'Name tags after their role (default, stable, canary) and revisions after their version (1-31-0).',
      }),
    );
  });
  // `default` names the unrevisioned control plane, as istio.io/rev=default does.
  kept.forEach((rev, i) => {
    if (rev !== (revision ?? 'default')) return;
    out.push(
      finding(ctx, 'error', {
        path: ['istio', 'keepRevisions', i],
        summary: 'The revision kept is the one installed',
        detail: `keepRevisions lists earlier revisions to leave installed beside istio.revision; ${rev} is ${revision === undefined ? 'the unrevisioned control plane this mesh installs' : 'istio.revision itself'}.`,
        hint: `Remove ${rev} from keepRevisions.`,
      }),
    );
  });
  return out;
};

export const istioRules: readonly Rule[] = [supportedVersion, experimentalDataPlane, sharedTrust, revisionTags];
