// API discovery remembered on disk between runs, as kubectl keeps ~/.kube/cache/discovery.
// A no-op plan otherwise asks every cluster for each group/version's resource list before it
// can list anything: many of its requests, and a round trip that every list waits on.
//
// Entries are hints, never answers: ClusterClient uses one only to find a kind's path, and
// only for lists, where a 404 proves the hint wrong (it then forgets the group/version and asks
// the server). A kind missing from an entry, or a group/version not served, is always asked
// of the server, so a CRD installed since is never reported absent from a stale entry.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomicSync } from '../fs/atomic-write.js';

export interface ApiResource {
  readonly name: string;
  readonly namespaced: boolean;
  readonly kind: string;
}

export interface DiscoveryCache {
  read(groupVersion: string): readonly ApiResource[] | undefined;
  write(groupVersion: string, resources: readonly ApiResource[]): void;
  forget(groupVersion: string): void;
}

/** kubectl's discovery cache lives this long too. */
export const DISCOVERY_TTL_MS = 6 * 3600_000;

/**
 * One directory per API server and CA (local test clusters reuse ports): `root/discovery/<id>/`.
 * Failures to read or write are ignored; the cache is an optimisation.
 */
export function diskDiscoveryCache(opts: { root: string; server: string; ca?: Buffer; now?: () => number }): DiscoveryCache {
  const id = createHash('sha256')
    .update(opts.server)
    .update('\u0000')
    .update(opts.ca ?? '')
    .digest('hex')
    .slice(0, 16);
  const dir = path.join(opts.root, 'discovery', id);
  const now = opts.now ?? Date.now;
  const file = (gv: string) => path.join(dir, `${gv.replace(/[^A-Za-z0-9.-]/g, '_')}.json`);
  return {
    read(gv) {
      try {
        const entry = JSON.parse(readFileSync(file(gv), 'utf8')) as { fetchedAt?: number; groupVersion?: string; resources?: ApiResource[] };
        const fresh = typeof entry.fetchedAt === 'number' && now() - entry.fetchedAt < DISCOVERY_TTL_MS && entry.fetchedAt <= now();
        return fresh && entry.groupVersion === gv && Array.isArray(entry.resources) ? entry.resources : undefined;
      } catch {
        return undefined;
      }
    },
    write(gv, resources) {
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const slim = resources.map((r) => ({ name: r.name, namespaced: r.namespaced, kind: r.kind }));
        writeFileAtomicSync(file(gv), JSON.stringify({ groupVersion: gv, fetchedAt: now(), resources: slim }));
      } catch {
        // read-only home, full disk: plan without the cache
      }
    },
    forget(gv) {
      rmSync(file(gv), { force: true });
    },
  };
}
