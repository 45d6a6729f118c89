// Order of objects inside one unit, after istioctl's own install order: definitions and
// identities before what uses them, webhooks and Services last (a webhook pointing at a
// Service with no endpoints yet would block creates). Deletion uses the reverse.

const rank: Readonly<Record<string, number>> = {
  CustomResourceDefinition: 0,
  Namespace: 1,
  ServiceAccount: 2,
  ClusterRole: 3,
  ClusterRoleBinding: 4,
  Role: 5,
  RoleBinding: 6,
  ConfigMap: 7,
  Secret: 8,
  ValidatingWebhookConfiguration: 9,
  PodDisruptionBudget: 11,
  Deployment: 12,
  HorizontalPodAutoscaler: 13,
  Service: 14,
  EndpointSlice: 15,
  Endpoints: 15,
  MutatingWebhookConfiguration: 16,
};

/** Anything unknown (custom resources such as Gateway) goes between config and workloads. */
export function objectKindRank(kind: string): number {
  return rank[kind] ?? 10;
}
