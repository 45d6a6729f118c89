// Istio's rules for changing the version of a running mesh in place, checked before a plan is
// made: the version meshctl last installed (the state's `istio.version`, written when an apply
// completes) against the version mesh.yaml asks for. Pure.
//
// The rules, from istio.io's in-place upgrade page ("Upgrade prerequisites", and in its
// releases up to 1.14 "Downgrade prerequisites"): one minor version per in-place upgrade or
// downgrade. And, for a
// downgrade, the data plane: sidecars injected by the newer control plane keep its
// proxy until their pods restart, so for a while the data plane is newer than its control
// plane, which Istio does not support (istio.io/latest/docs/releases/supported-releases,
// "Control plane/data plane skew": the data plane may trail the control plane, not lead it).
import { error, warning, type Diagnostic } from '../diagnostics.js';
import { parseIstioVersion } from '../config/istio-versions.js';

export const UPGRADE_RULE_SUMMARIES = {
  skipsMinor: 'Upgrade skips a minor version',
  downgrade: 'Istio downgrade',
} as const;

const IN_PLACE_RULE =
  'Istio: "The installed Istio version is no more than one minor version less than the upgrade version. For example, 1.6.0 or higher is required before you start the upgrade process to 1.7.x." (istio.io/latest/docs/setup/upgrade/in-place)';

// Paraphrased: the page's own wording is in its older releases only.
const IN_PLACE_DOWNGRADE_RULE =
  'Istio allows an in-place downgrade of at most one minor version: from 1.7.x, down to 1.6.0 at the lowest (istio.io/v1.14/docs/setup/upgrade/in-place, "Downgrade prerequisites").';

/** installed: what the state says meshctl last installed (none on a first apply). */
export function upgradeRules(installed: string | undefined, wanted: string): Diagnostic[] {
  if (installed === undefined || installed === wanted) return [];
  const from = parseIstioVersion(installed);
  const to = parseIstioVersion(wanted);
  if (!from || !to) return [];
  const minors = (to[0] - from[0]) * 100 + (to[1] - from[1]);
  if (minors > 1) {
    const next = `${from[0]}.${from[1] + 1}`;
    return [
      error(
        UPGRADE_RULE_SUMMARIES.skipsMinor,
        `The mesh runs Istio ${installed} (the state records it) and mesh.yaml asks for ${wanted}: an in-place upgrade across ${minors} minor versions. ${IN_PLACE_RULE} Nothing was changed.`,
        { hint: `Upgrade to the newest ${next} release first (istio.version: "${next}.x"), apply, then to ${wanted}.` },
      ),
    ];
  }
  if (minors < -1) {
    return [
      error(
        UPGRADE_RULE_SUMMARIES.downgrade,
        `The mesh runs Istio ${installed} (the state records it) and mesh.yaml asks for ${wanted}: an in-place downgrade across ${-minors} minor versions. ${IN_PLACE_DOWNGRADE_RULE} Nothing was changed.`,
        { hint: `Downgrade one minor version per apply: to ${from[0]}.${from[1] - 1}.x first.` },
      ),
    ];
  }
  const older = to[0] < from[0] || (to[0] === from[0] && (to[1] < from[1] || (to[1] === from[1] && to[2] < from[2])));
  if (older) {
    return [
      warning(
        UPGRADE_RULE_SUMMARIES.downgrade,
        `The mesh runs Istio ${installed} and mesh.yaml asks for ${wanted}: the control plane goes back${minors < 0 ? ` ${-minors} minor version${minors === -1 ? '' : 's'}` : ' to an earlier patch'}. Workloads injected by ${installed} keep its proxy until their pods restart, so until then the data plane is newer than its control plane, which Istio does not support. Restart them after the apply.`,
      ),
    ];
  }
  return [];
}
