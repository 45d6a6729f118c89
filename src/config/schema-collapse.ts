// ajv with allErrors reports, for an anyOf/oneOf, the failure of every branch plus the
// anyOf/oneOf itself: a wall of contradictory messages ("must be string", "must be object")
// for one mistake. Keep only the combinator's own error; its branches are summarised there.
// Also drops propertyNames' wrapper error: the inner error names the key already.
import type { ErrorObject } from 'ajv';

export function collapseAlternatives(errors: readonly ErrorObject[]): ErrorObject[] {
  const combinators = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
  return errors.filter((e) => {
    if (e.keyword === 'propertyNames') return false;
    return !combinators.some((c) => c !== e && e.schemaPath.startsWith(`${c.schemaPath}/`) && isWithin(e.instancePath, c.instancePath));
  });
}

function isWithin(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}
