import AjvCompiler from '@fastify/ajv-compiler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/server';

/** The part of /docs/json this test reads. */
interface Operation {
  summary?: string;
  requestBody?: {
    content: Record<
      string,
      { schema: Record<string, unknown>; example?: unknown; examples?: Record<string, { value: unknown }> }
    >;
  };
}

let s: TestServer;
let operations: { name: string; op: Operation }[];
beforeAll(async () => {
  s = await startTestServer();
  const doc = (await s.api('GET', '/docs/json', undefined, { key: null })).body as {
    paths: Record<string, Record<string, Operation>>;
  };
  operations = Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/v1/'))
    .flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, op })),
    );
});
afterAll(async () => s?.close());

/** A body's examples: OpenAPI keeps them beside the schema (example, examples) or in it (JSON Schema examples). */
function examplesOf(media: NonNullable<Operation['requestBody']>['content'][string]): unknown[] {
  const inSchema = Array.isArray(media.schema.examples)
    ? media.schema.examples
    : media.schema.example !== undefined
      ? [media.schema.example]
      : [];
  return [
    ...(media.example !== undefined ? [media.example] : []),
    ...Object.values(media.examples ?? {}).map((e) => e.value),
    ...inSchema,
  ];
}

describe('the OpenAPI document (/docs)', () => {
  it('has a summary on every /v1 operation', () => {
    expect(operations.length).toBeGreaterThan(50);
    expect(operations.filter(({ op }) => !op.summary?.trim()).map(({ name }) => name)).toEqual([]);
  });

  it('has an example of every request body, and the route accepts it', () => {
    // The server's own validator (strict JSON bodies, as in server.ts), so an example cannot drift from its schema.
    const build = AjvCompiler()({}, { customOptions: { coerceTypes: false, strict: false } } as Parameters<
      ReturnType<typeof AjvCompiler>
    >[1]);
    const missing: string[] = [];
    const invalid: string[] = [];
    let checked = 0;
    for (const { name, op } of operations) {
      const media = op.requestBody?.content['application/json'];
      if (!media) continue;
      const examples = examplesOf(media);
      if (examples.length === 0) missing.push(name);
      const validate = build({ schema: media.schema, method: 'POST', url: name, httpPart: 'body' });
      for (const example of examples) {
        checked++;
        if (!validate(example)) invalid.push(`${name}: ${JSON.stringify(validate.errors?.[0])}`);
      }
    }
    expect(missing).toEqual([]);
    expect(invalid).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });
});
