// Colours for human views, chosen once at the edge (NO_COLOR / TTY / --no-color).
export interface Palette {
  readonly add: (s: string) => string;
  readonly change: (s: string) => string;
  readonly remove: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
}

const ansi = (open: string) => (s: string) => `\u001b[${open}m${s}\u001b[0m`;
const id = (s: string) => s;

export function palette(color: boolean): Palette {
  return color ? { add: ansi('32'), change: ansi('33'), remove: ansi('31'), dim: ansi('2'), bold: ansi('1') } : { add: id, change: id, remove: id, dim: id, bold: id };
}
