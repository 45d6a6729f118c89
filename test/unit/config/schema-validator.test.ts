// The precompiled schema validator (src/config/mesh-schema-validator.ts) must be exactly what
// scripts/gen-schema-validator.ts makes of schemas/mesh.schema.json today: it cannot drift.
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { generateValidatorSource, schemaPath, validatorPath } from '../../../scripts/gen-schema-validator.js';
import { validate } from '../../../src/config/mesh-schema-validator.js';

describe('precompiled mesh.yaml schema validator', () => {
  it('regenerating it from schemas/mesh.schema.json yields the committed file', () => {
    expect(readFileSync(validatorPath, 'utf8'), 'stale: run node --import tsx scripts/gen-schema-validator.ts').toBe(generateValidatorSource());
  });

  it('reports the same errors as a validator compiled at run time', () => {
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as object;
    const compiled = new Ajv2020.default({ allErrors: true, verbose: true, strict: true }).compile(schema);
    const docs: unknown[] = [
      { apiVersion: 'meshctl.io/v1alpha1', kind: 'Mesh', meshID: 'mesh1', istio: { version: '1.31.0' }, networks: ['n1'], clusters: { c1: { context: 'c1', role: 'primary', network: 'n1' } } },
      { apiVersion: 'v2', kind: 'Mesh', meshID: '-bad', istio: { version: 1.3, extra: true }, networks: ['n1', 'n1'], clusters: { Bad_Name: { role: 'chief' } } },
      { trust: { generated: {}, none: {} }, eastWestGateway: { serviceType: 'Nope' }, clusters: {} },
      null,
      'text',
    ];
    for (const doc of docs) {
      const a = validate(doc) as boolean;
      const errorsA = (validate as unknown as { errors: unknown }).errors;
      const b = compiled(doc);
      expect(a).toBe(b);
      expect(errorsA).toEqual(compiled.errors);
    }
  });
});
