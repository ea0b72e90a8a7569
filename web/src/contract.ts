/**
 * Types of the API as the server declares them: web/src/generated/api.d.ts is generated from the
 * OpenAPI document (`npm run gen:api`), so the console never copies a shape or an enum by hand.
 */
import type { paths } from './generated/api';

type Method = 'get' | 'post' | 'put' | 'delete';
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never;

/** The JSON a route answers when it succeeds (200, or 201 for a creation). */
export type Answer<P extends keyof paths, M extends Method = 'get'> = Operation<P, M>['responses'] extends {
  200: infer R;
}
  ? JsonOf<R>
  : Operation<P, M>['responses'] extends { 201: infer R }
    ? JsonOf<R>
    : never;

/** The JSON body a route takes. */
export type RequestBody<P extends keyof paths, M extends Method> = JsonOf<NonNullable<Operation<P, M>['requestBody']>>;

/**
 * All members of a string union, for a select or a list of checkboxes. The compiler refuses a list
 * that misses a member of the contract's enum or names one it does not have.
 */
export function allOf<T extends string>() {
  return <const A extends readonly T[]>(
    values: A & ([T] extends [A[number]] ? unknown : { missing: Exclude<T, A[number]> }),
  ): A => values;
}
