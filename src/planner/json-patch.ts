// fast-json-patch ships CommonJS whose named exports Node's ESM loader cannot see; its ESM
// build lives at index.mjs. One import site keeps that detail out of the rest of the code.
import type { Operation } from 'fast-json-patch';
// @ts-expect-error -- index.mjs has no separate type declarations; its API is index.d.ts's.
import * as jsonPatch from 'fast-json-patch/index.mjs';

export type { Operation };

export const compare: (a: object, b: object) => Operation[] = (jsonPatch as { compare: (a: object, b: object) => Operation[] }).compare;
