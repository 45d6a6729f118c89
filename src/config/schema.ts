// JSON Schema validation of the parsed document. ajv reports errors against JSON pointers
// and schema keywords; this file turns each into a Diagnostic with the YAML node's range and
// wording a user can act on (unknown keys get a did-you-mean, numbers that should be strings
// get "quote it").
import type { ErrorObject, ValidateFunction } from 'ajv';
import { error, type Diagnostic } from '../diagnostics.js';
import { describeValue, type Parsed } from './parse.js';
import { formatPath, pointerSegments, rangeAt, sourceTextAt, type PathSegment, type Target } from './positions.js';
import { readBundledSchema } from './read.js';
import { closest, listWords } from './suggest.js';
import { collapseAlternatives } from './schema-collapse.js';
// Precompiled by scripts/gen-schema-validator.ts (Ajv standalone code, same options as before:
// allErrors, verbose, strict); a unit test keeps it identical to what the schema compiles to.
import { validate as generatedValidate } from './mesh-schema-validator.js';

type SchemaNode = Record<string, unknown> & { description?: string; title?: string; properties?: Record<string, SchemaNode> };

// verbose: errors carry parentSchema, whose title/description we quote in messages.
const validate = generatedValidate as unknown as ValidateFunction;

let root: SchemaNode | undefined;

/** The schema itself, read once and only when there are errors: messages quote descriptions behind $refs. */
function schemaRoot(): SchemaNode {
  root ??= readBundledSchema() as SchemaNode;
  return root;
}

export function schemaDiagnostics(parsed: Parsed, text: string): Diagnostic[] {
  if (validate(parsed.value)) return [];
  const errors = collapseAlternatives(validate.errors ?? []);
  const ctx = { parsed, text, root: schemaRoot() };
  return errors.map((e) => toDiagnostic(e, ctx));
}

interface Ctx {
  readonly parsed: Parsed;
  readonly text: string;
  readonly root: SchemaNode;
}

function toDiagnostic(e: ErrorObject, ctx: Ctx): Diagnostic {
  const base = typedPath(ctx.parsed.value, pointerSegments(e.instancePath));
  const where = (path: PathSegment[], target: Target = 'value') => {
    const subject = rangeAt(ctx.parsed, path, target);
    return { path: formatPath(path), ...(subject ? { subject } : {}) };
  };
  const parent = (e.parentSchema ?? {}) as SchemaNode;
  const at = describePlace(base);
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      const allowed = Object.keys(parent.properties ?? {});
      const guess = closest(key, allowed);
      return error('Unknown key', `The key "${key}" is not allowed ${at}. Allowed keys: ${allowed.join(', ')}.`, {
        ...where([...base, key], 'key'),
        hint: guess ? `Did you mean "${guess}"?` : 'Remove it; docs/mesh-yaml.md lists every key.',
      });
    }
    case 'required': {
      const key = String(e.params.missingProperty);
      const about = describeSchema(parent.properties?.[key], ctx.root);
      // A key missing from the top level belongs to no line; point at nothing rather than line 1.
      const place = base.length === 0 ? {} : where(base, 'key');
      return error('Missing required key', `The key "${key}" is required ${at}.${about ? ` ${about}` : ''}`, place);
    }
    case 'type':
      return typeDiagnostic(e, base, ctx, where(base));
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      const guess = typeof e.data === 'string' ? closest(e.data, allowed) : undefined;
      return error('Invalid value', `${shown(e.data)} is not allowed ${at}; expected ${listWords(allowed.map(quote))}.`, {
        ...where(base),
        ...(guess ? { hint: `Did you mean "${guess}"?` } : {}),
      });
    }
    case 'const':
      return error(`Unsupported ${String(base[base.length - 1])}`, `${shown(e.data)} is not supported ${at}; this meshctl reads ${quote(String(e.params.allowedValue))}.`, {
        ...where(base),
        hint: `Write ${String(base[base.length - 1])}: ${String(e.params.allowedValue)}`,
      });
    case 'pattern':
    case 'maxLength':
      return nameDiagnostic(e, base, ctx, where);
    case 'minLength':
      return error('Empty value', `${nameOf(base)} must not be empty.`, where(base));
    case 'minItems':
      return error('Empty list', `${nameOf(base)} must list at least ${String(e.params.limit)} item.`, where(base));
    case 'uniqueItems': {
      const dup = Math.max(Number(e.params.i), Number(e.params.j));
      const first = Math.min(Number(e.params.i), Number(e.params.j));
      return error('Duplicate list item', `${nameOf(base)} lists ${shown((e.data as unknown[])[dup])} twice (items ${first + 1} and ${dup + 1}).`, {
        ...where([...base, dup]),
        hint: 'Remove the repeated item.',
      });
    }
    case 'minProperties':
    case 'maxProperties':
      return countDiagnostic(e, base, parent, where(base));
    case 'anyOf':
    case 'oneOf':
      return error('Invalid value', `${nameOf(base)} does not match any of the allowed forms.${parent.description ? ` ${parent.description}` : ''}`, where(base));
    default:
      return error('Invalid value', `${nameOf(base)} ${e.message ?? 'is invalid'}.`, where(base));
  }
}

function typeDiagnostic(e: ErrorObject, base: PathSegment[], ctx: Ctx, place: Partial<Diagnostic>): Diagnostic {
  const expected = String(e.params.type).split(',').map(typeWord);
  const found = describeValue(e.data);
  const detail = `Expected ${listWords(expected)} ${describePlace(base)}, found ${found}.`;
  let hint: string | undefined;
  if (e.params.type === 'string' && (typeof e.data === 'number' || typeof e.data === 'boolean')) {
    const written = sourceTextAt(ctx.parsed, ctx.text, base) ?? String(e.data);
    hint = `YAML reads ${written} as a ${typeof e.data}; quote it: "${written}".`;
  } else if (e.params.type === 'boolean' && typeof e.data === 'string') {
    hint = 'Write true or false (without quotes).';
  } else if (e.data === null) {
    hint = 'Give it a value, or remove the key.';
  }
  return error('Wrong type', detail, { ...place, ...(hint ? { hint } : {}) });
}

function nameDiagnostic(e: ErrorObject, base: PathSegment[], ctx: Ctx, where: (p: PathSegment[], t?: Target) => Partial<Diagnostic>): Diagnostic {
  // propertyNames errors (invalid cluster names) concern a key, not a value.
  const key = (e as ErrorObject & { propertyName?: string }).propertyName;
  const path = key === undefined ? base : [...base, key];
  const parent = (e.parentSchema ?? {}) as SchemaNode;
  const what = parent.title ?? 'Value';
  const value = key ?? (typeof e.data === 'string' ? e.data : String(e.data));
  const why = e.keyword === 'maxLength' ? `is too long (${value.length} characters)` : 'is not valid';
  const about = describeSchema(parent, ctx.root);
  const expected = about ? ` Expected ${about.charAt(0).toLowerCase()}${about.slice(1)}` : '';
  const label = parent.pattern === DNS1123 ? toDns1123Label(value) : undefined;
  return error(`Invalid ${sentenceCase(what)}`, `${quote(value)} ${why} in ${formatPath(path)}.${expected}`, {
    ...where(path, key === undefined ? 'value' : 'key'),
    ...(label && label !== value ? { hint: `Try "${label}".` } : {}),
  });
}

const DNS1123 = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/** The nearest DNS-1123 label: "Cluster_1" → "cluster-1". */
export function toDns1123Label(s: string): string | undefined {
  const label = s
    .toLowerCase()
    .replace(/[^-a-z0-9]+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
  return new RegExp(DNS1123).test(label) ? label : undefined;
}

/** "Cluster name" → "cluster name", but "Istio version" and "API server URL" keep their case. */
function sentenceCase(title: string): string {
  const first = title.split(' ')[0]!;
  if (first === first.toUpperCase() || first === 'Istio') return title;
  return title.charAt(0).toLowerCase() + title.slice(1);
}

function countDiagnostic(e: ErrorObject, base: PathSegment[], parent: SchemaNode, place: Partial<Diagnostic>): Diagnostic {
  const keys = Object.keys(parent.properties ?? {});
  if (parent.maxProperties === 1 && keys.length > 0) {
    const set = Object.keys((e.data ?? {}) as object);
    const found = set.length === 0 ? 'it sets none' : `it sets ${listWords(set, 'and')}`;
    return error('Exactly one key required', `${nameOf(base)} must set exactly one of ${listWords(keys)}; ${found}.`, place);
  }
  return error('Empty mapping', `${nameOf(base)} must have at least ${String(e.params.limit)} entry.`, place);
}

/** ajv paths are all strings; list indices become numbers so paths print as networks[1]. */
function typedPath(value: unknown, segs: readonly string[]): PathSegment[] {
  const out: PathSegment[] = [];
  let cur: unknown = value;
  for (const s of segs) {
    const seg: PathSegment = Array.isArray(cur) ? Number(s) : s;
    out.push(seg);
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[String(seg)] : undefined;
  }
  return out;
}

function describePlace(path: readonly PathSegment[]): string {
  return path.length === 0 ? 'at the top level' : `in ${formatPath(path)}`;
}

function describeSchema(node: SchemaNode | undefined, root: SchemaNode): string | undefined {
  if (!node) return undefined;
  if (node.description) return node.description;
  const ref = node['$ref'];
  if (typeof ref === 'string' && ref.startsWith('#/$defs/')) {
    const defs = root['$defs'] as Record<string, SchemaNode>;
    return defs[ref.slice('#/$defs/'.length)]?.description;
  }
  return undefined;
}

function typeWord(t: string): string {
  const words: Record<string, string> = { object: 'a mapping', array: 'a list', string: 'a string', boolean: 'true or false', number: 'a number', integer: 'an integer', null: 'nothing' };
  return words[t] ?? t;
}

function quote(s: string): string {
  return JSON.stringify(s);
}

/** The subject of a sentence: "clusters.cluster1" or "The document". */
function nameOf(path: readonly PathSegment[]): string {
  return path.length === 0 ? 'The document' : formatPath(path);
}

/** A value as the user wrote it: strings quoted, other things described. */
function shown(value: unknown): string {
  return typeof value === 'string' ? quote(value) : describeValue(value);
}
