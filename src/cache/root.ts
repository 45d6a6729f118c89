// Where meshctl keeps what it can recompute (renderings, istioctl versions, API discovery):
// MESHCTL_CACHE, else ~/.cache/meshctl. Nothing in it is needed for correctness.
import * as os from 'node:os';
import * as path from 'node:path';

export function cacheRoot(env: NodeJS.ProcessEnv): string {
  return env['MESHCTL_CACHE'] ?? path.join(os.homedir(), '.cache', 'meshctl');
}
