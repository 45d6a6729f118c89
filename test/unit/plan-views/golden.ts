// Golden files for the plan views: the exact text a view produces for a fixture plan.
import { fileURLToPath } from 'node:url';
import { expectGoldenFile } from '../support/golden.js';

const dir = fileURLToPath(new URL('./golden/', import.meta.url));

export function expectGoldenText(name: string, text: string): void {
  expectGoldenFile(dir, name, text);
}
