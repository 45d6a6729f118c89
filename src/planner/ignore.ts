// Fields that belong to someone else even though they appear in rendered manifests: istiod
// patches webhook caBundles (and flips the validating webhook's failurePolicy once it is
// ready). meshctl neither compares nor sends them, so it never fights istiod over them and
// a plan right after apply is empty (Argo CD users know this fight: argo-cd#1487).

// `onCreate: true`: also left out when the object is first created. A rendered caBundle is
// never meaningful (istiod always fills it); a rendered failurePolicy is: the chart starts the
// validating webhook at Ignore until istiod is ready, and the API server's default is Fail.
const rules: Readonly<Record<string, readonly { path: readonly string[]; onCreate: boolean }[]>> = {
  MutatingWebhookConfiguration: [{ path: ['webhooks', '*', 'clientConfig', 'caBundle'], onCreate: true }],
  ValidatingWebhookConfiguration: [
    { path: ['webhooks', '*', 'clientConfig', 'caBundle'], onCreate: true },
    { path: ['webhooks', '*', 'failurePolicy'], onCreate: false },
  ],
};

/** A copy of the object without the fields other controllers own (when creating: fewer). */
export function withoutForeignFields<T extends { kind: string }>(o: T, opts: { creating?: boolean } = {}): T {
  const paths = rules[o.kind]?.filter((r) => !opts.creating || r.onCreate).map((r) => r.path);
  if (!paths?.length) return o;
  const copy = structuredClone(o) as unknown;
  for (const p of paths) remove(copy, p);
  return copy as T;
}

function remove(v: unknown, path: readonly string[]): void {
  if (v === null || typeof v !== 'object' || path.length === 0) return;
  const [head, ...rest] = path;
  const container = v as Record<string, unknown>;
  if (head === '*') {
    if (Array.isArray(v)) for (const item of v) remove(item, rest);
    return;
  }
  if (rest.length === 0) {
    delete container[head!];
    return;
  }
  remove(container[head!], rest);
}

type Webhooks = { webhooks?: { name?: string; failurePolicy?: unknown }[] };

/**
 * An update keeps the failurePolicy a webhook has now, for each webhook meshctl renders one
 * for. Server-side apply drops a field its manager set before and no longer sends: had meshctl
 * created the validator at the chart's `Ignore` and istiod not yet taken the field over, an
 * update without it would reset it to the API server's default, `Fail`, before istiod is ready
 * to answer. Sending the current value changes nothing and leaves istiod free to flip it.
 */
export function withFailurePolicyOf<T extends { kind: string }>(o: T, current: unknown, rendered: unknown): T {
  if (o.kind !== 'ValidatingWebhookConfiguration') return o;
  const byName = (v: unknown) => new Map(((v as Webhooks | undefined)?.webhooks ?? []).map((w) => [w.name, w.failurePolicy]));
  const now = byName(current);
  const renders = byName(rendered);
  const hooks = (o as Webhooks).webhooks;
  if (!hooks?.some((w) => renders.get(w.name) !== undefined && now.get(w.name) !== undefined)) return o;
  return { ...o, webhooks: hooks.map((w) => (renders.get(w.name) !== undefined && now.get(w.name) !== undefined ? { ...w, failurePolicy: now.get(w.name) } : w)) };
}
