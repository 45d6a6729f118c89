// Free loopback ports, asked from the kernel (listen on port 0) so parallel clusters and
// parallel test runs never collide on fixed numbers.
import { createServer } from 'node:net';

// The kernel may hand the same number out again once our probe socket closes; remembering what
// this process already gave out keeps clusters started in parallel from sharing a port.
const handedOut = new Set<number>();

function probe(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function freePort(): Promise<number> {
  for (;;) {
    const port = await probe();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}
