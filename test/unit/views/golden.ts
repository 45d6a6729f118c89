// Text goldens for views (test/unit/views/golden/).
import { fileURLToPath } from 'node:url';
import { expectGoldenFile } from '../support/golden.js';

const dir = fileURLToPath(new URL('./golden/', import.meta.url));

export function expectTextGolden(name: string, text: string): void {
  expectGoldenFile(dir, name, text);
}
