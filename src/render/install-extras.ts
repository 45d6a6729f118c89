// What `istioctl install` adds beyond `manifest generate`, for meshctl to add the same way.
// For an unrevisioned control plane istioctl creates the default revision tag out of band
// (operator/pkg/webhook/webhook.go → istioctl/pkg/tag): among others the validating webhook
// `istiod-default-validator`, without which Istio config carrying no istio.io/rev label (nearly
// all of it) is never validated on admission. The charts render the same validator when
// `values.defaultRevision` is "default" (what Helm users pass as --set defaultRevision=default),
// so meshctl renders with that value. The IstioOperator in the model stays the guide's own
// (docs/fidelity.md, G1); only what is rendered from it gains the validator.
import type { IstioOperatorSpec } from '../model/desired.js';

export function withInstallExtras(iop: IstioOperatorSpec): IstioOperatorSpec {
  const spec = iop.spec as { revision?: string; values?: Record<string, unknown> & { revision?: string; defaultRevision?: string; global?: { operatorManageWebhooks?: boolean } } };
  const revisioned = Boolean(spec.revision || spec.values?.revision);
  if (revisioned || spec.values?.global?.operatorManageWebhooks || spec.values?.defaultRevision !== undefined) return iop;
  return { ...iop, spec: { ...iop.spec, values: { ...(spec.values ?? {}), defaultRevision: 'default' } } };
}
