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

export const istioRules: readonly Rule[] = [supportedVersion, experimentalDataPlane, sharedTrust];
