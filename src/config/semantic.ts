// Rules the JSON Schema cannot express: references between clusters, networks and files,
// and the constraints of Istio's multi-cluster models (istio-multicluster.md §1, §8, §9).
// Rules run only on a document that passed the schema, so they may trust its types.
// Each rule returns diagnostics with a precise range, a summary, a detail and usually a hint.
import type { Diagnostic } from '../diagnostics.js';
import type { Rule, SemanticContext } from './finding.js';
import { clusterRules } from './rules-clusters.js';
import { networkRules } from './rules-networks.js';
import { istioRules } from './rules-istio.js';
import { overlayRules } from './rules-overlay.js';
import { fileRules } from './rules-files.js';
import { untrustedDiagnostics } from './rules-untrusted.js';

export type { SemanticContext } from './finding.js';

const rules: readonly Rule[] = [...clusterRules, ...networkRules, ...istioRules, ...overlayRules, ...fileRules];

export function semanticDiagnostics(ctx: SemanticContext): Diagnostic[] {
  return [...rules.flatMap((rule) => rule(ctx)), ...(ctx.untrusted ? untrustedDiagnostics(ctx) : [])];
}
