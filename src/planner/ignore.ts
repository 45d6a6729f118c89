// Fields that belong to someone else even though they appear in rendered manifests: istiod
// patches webhook caBundles (and flips the validating webhook's failurePolicy once it is
// ready). meshctl neither compares nor sends them, so it never fights istiod over them and
// a plan right after apply is empty (Argo CD users know this fight: argo-cd#1487).

const rules: Readonly<Record<string, readonly string[][]>> = {
  MutatingWebhookConfiguration: [['webhooks', '*', 'clientConfig', 'caBundle']],
  ValidatingWebhookConfiguration: [
    ['webhooks', '*', 'clientConfig', 'caBundle'],
    ['webhooks', '*', 'failurePolicy'],
  ],
};

/** A copy of the object without the fields other controllers own. */
export function withoutForeignFields<T extends { kind: string }>(o: T): T {
  const paths = rules[o.kind];
  if (!paths) return o;
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
