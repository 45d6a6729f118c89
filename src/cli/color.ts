// https://no-color.org: any non-empty NO_COLOR turns colour off; so does --no-color, and so
// does a stream that is not a terminal (CI logs, pipes).
import type { CliIO } from './io.js';

export function useColor(o: { readonly color: boolean }, io: CliIO, stream: 'stdout' | 'stderr' = 'stdout'): boolean {
  if (!o.color) return false;
  if (io.env['NO_COLOR']) return false;
  return io[stream].isTTY === true;
}
