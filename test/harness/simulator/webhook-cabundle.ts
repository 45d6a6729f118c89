// Effect `webhookCaBundle`, in place of a running istiod's webhook cert patcher: every webhook of
// the MutatingWebhookConfigurations named istio-sidecar-injector* gets caBundle = the istiod's
// root certificate, in each cluster that istiod controls (istiod.ts). The annotation of the
// target's istio-system decides whether the effect is off there.
import type { Emit } from './effects.js';
import { ISTIO_NS, type IstiodTarget } from './istiod-target.js';

export async function patchInjectorCaBundles(target: IstiodTarget, emit: Emit): Promise<void> {
  const { clients, cluster, root, on } = target;
  if (!on('webhookCaBundle', ISTIO_NS)) return;
  const caBundle = Buffer.from(root).toString('base64');
  const configs = (await clients.admission.listMutatingWebhookConfiguration()).items.filter((c) => c.metadata?.name?.startsWith('istio-sidecar-injector'));
  for (const config of configs) {
    const ops = (config.webhooks ?? []).flatMap((w, i) => (w.clientConfig.caBundle === caBundle ? [] : [{ op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value: caBundle }]));
    if (ops.length === 0) continue;
    // A JSON patch touches only caBundle: nothing else of meshctl's object is rewritten.
    await clients.admission.patchMutatingWebhookConfiguration({ name: config.metadata!.name!, body: ops });
    emit('webhookCaBundle', `${cluster}: caBundle set on MutatingWebhookConfiguration ${config.metadata?.name}`);
  }
}
