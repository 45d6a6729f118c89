// The readable half of an update: a unified diff of the YAML before and after, with
// markers spelled the way Terraform users read them.
import { createTwoFilesPatch } from 'diff';
import { stringify } from 'yaml';
import { isUnknown } from '../model/desired.js';
import { isSensitive } from '../kube/sensitive.js';

export const knownAfterApply = '(known after apply)';
export const sensitiveValue = '(sensitive value)';

/** Replaces markers with their display text so YAML shows them as plain scalars. */
export function displayForm(v: unknown): unknown {
  if (isUnknown(v)) return v.$unknown.sensitive ? `${sensitiveValue} ${knownAfterApply}` : knownAfterApply;
  if (isSensitive(v)) return v.display ? `${sensitiveValue} ${v.display}` : sensitiveValue;
  if (Array.isArray(v)) return v.map(displayForm);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, displayForm(x)]));
  return v;
}

export function yamlOf(v: unknown): string {
  return v === undefined ? '' : stringify(displayForm(v), { lineWidth: 0, sortMapEntries: false });
}

/** Unified diff body (no file headers), or '' when the texts are equal. */
export function unifiedDiff(before: unknown, after: unknown): string {
  const a = yamlOf(before);
  const b = yamlOf(after);
  if (a === b) return '';
  const patch = createTwoFilesPatch('before', 'after', a, b, '', '', { context: 3 });
  // Drop the "Index/===/---/+++" header lines: the view prints its own heading per object.
  return patch
    .split('\n')
    .filter((l, i) => i > 3 || !/^(=+|Index:|---|\+\+\+)/.test(l))
    .join('\n')
    .trimEnd();
}
