#!/usr/bin/env node
// Thin launcher: the CLI is compiled and bundled into dist/bundle/ by `npm run build`.
import { main } from '../dist/bundle/main.js';

// `meshctl plan | head` closes the pipe early; that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err && err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// Exit once main() is done and what it wrote is flushed: a connection still opening to a hung
// cluster (its TLS handshake is bounded at 10 s) must not keep the process alive after the
// error another cluster gave was printed (issue 19).
const exitWhenFlushed = (code) => {
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
};

main(process.argv.slice(2)).then(
  (code) => exitWhenFlushed(code),
  (err) => {
    process.stderr.write(`meshctl: internal error: ${err?.stack ?? err}\nThis is a bug in meshctl, please report it.\n`);
    process.exitCode = 1;
  },
);
