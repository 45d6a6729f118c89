// Text from outside meshctl (a server's error body, a mesh.yaml line, a value in a diff) shown
// on a terminal: control characters would let it move the cursor, retitle the window or hide
// lines (ESC sequences, C1 controls), and bidirectional overrides would reorder what a reviewer
// reads ("Trojan Source", CVE-2021-42574). Each becomes a visible escape; newlines and tabs stay.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const code = c.codePointAt(0)!;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}
