// mesh.yaml is read with a bound whatever -f names: a device is a clear error, not gigabytes of
// memory or a hang.
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../../src/config/load.js';

describe('-f naming something that is not a mesh.yaml', () => {
  it.each([
    ['/dev/zero', 'Not a file: /dev/zero is a character device; mesh.yaml must be a file (or a pipe).'],
    ['/dev/urandom', 'Not a file: /dev/urandom is a character device; mesh.yaml must be a file (or a pipe).'],
  ])('%s is refused before it is read', (file, words) => {
    const { diagnostics, topology } = loadTopology(file);
    expect(topology).toBeUndefined();
    expect(diagnostics.map((d) => `${d.summary}: ${d.detail}`)).toEqual([words]);
  });
});
