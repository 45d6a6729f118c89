// Overlay semantics for istioOperatorOverlay: maps merge key by key, anything else (scalars,
// lists) from the overlay replaces the base. The same rule `istioctl install -f a -f b` uses
// for values, so an overlay reads like a second -f file. Returns new objects; inputs untouched.

export type PlainObject = Record<string, unknown>;

export function isPlainObject(v: unknown): v is PlainObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function deepMerge(base: PlainObject, overlay: Readonly<PlainObject>): PlainObject {
  const out: PlainObject = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    const current = out[key];
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : structuredClone(value);
  }
  return out;
}
