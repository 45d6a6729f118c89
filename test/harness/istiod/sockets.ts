// What sockets processes hold, from `ss` (iproute2), to show that they use loopback only.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { isLoopbackHost } from './runner.js';

export interface Socket {
  pid: number;
  /** tcp or udp */
  protocol: string;
  state: string;
  local: string;
  peer: string;
}

const hostOf = (address: string) => address.replace(/%[^:\]]+/, '').replace(/:[^:]*$/, '');

/** Every TCP and UDP socket of these processes (`ss -tunapH`). */
export async function socketsOf(pids: readonly number[]): Promise<Socket[]> {
  const { stdout } = await promisify(execFile)('ss', ['-tunapH'], { maxBuffer: 16 * 1024 * 1024 });
  const wanted = new Set(pids);
  const out: Socket[] = [];
  for (const line of stdout.split('\n')) {
    // tcp   ESTAB  0  0  127.0.0.1:55828  127.0.0.1:44111  users:(("pilot-discovery",pid=7885,fd=9))
    const cols = line.trim().split(/\s+/);
    if (cols.length < 7) continue;
    for (const m of line.matchAll(/pid=(\d+)/g)) {
      const pid = Number(m[1]);
      if (wanted.has(pid)) out.push({ pid, protocol: cols[0]!, state: cols[1]!, local: cols[4]!, peer: cols[5]! });
    }
  }
  return out;
}

/** A socket that is not loopback at both ends (a listener's peer "*:*" / "0.0.0.0:*" counts as none). */
export function leavesLoopback(s: Socket): boolean {
  const peerHost = hostOf(s.peer);
  const peerNone = ['*', '0.0.0.0', '[::]', '[*]'].includes(peerHost);
  return !isLoopbackHost(hostOf(s.local)) || (!peerNone && !isLoopbackHost(peerHost));
}
