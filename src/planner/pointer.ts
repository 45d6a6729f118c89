// JSON Pointer (RFC 6901) helpers shared by projection, unknown tracking and views.

export function escapeToken(t: string | number): string {
  return String(t).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function join(base: string, token: string | number): string {
  return `${base}/${escapeToken(token)}`;
}
