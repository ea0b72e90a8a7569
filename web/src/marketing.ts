/** 营销 (marketing): the shapes the marketing pages read, from the API contract, and a CSV download. */

import { ApiError, authOf } from './api';
import { allOf, type Answer } from './contract';

/** GET /v1/rfm/segments */
export type RfmSegments = Answer<'/v1/rfm/segments'>;
export type RfmSegmentName = RfmSegments['items'][number]['segment'];
/** The 11 segments in the order of the map (best customers first), then others. */
export const RFM_SEGMENTS = allOf<RfmSegmentName>()([
  'champions',
  'loyal',
  'potential_loyalist',
  'new_customers',
  'promising',
  'need_attention',
  'about_to_sleep',
  'at_risk',
  'cannot_lose_them',
  'hibernating',
  'lost',
  'others',
]);
/** GET /v1/segments/:id (a computed tag, GET /v1/tags/:name, has the same shape). */
export type SavedSegment = Answer<'/v1/segments/{id}'>;
/** GET /v1/segments/:id/members: one member. */
export type SegmentMember = Answer<'/v1/segments/{id}/members'>['items'][number];
/** GET /v1/rfm/grid: the 25 R × F cells. */
export type RfmGrid = Answer<'/v1/rfm/grid'>;
export type RfmCell = RfmGrid['cells'][number];
/** GET /v1/rfm/runs/:id */
export type RfmRun = Answer<'/v1/rfm/runs/{id}'>;
/** GET /v1/rfm/customers: one customer's scores. */
export type RfmScore = Answer<'/v1/rfm/customers'>['items'][number];
export type LifecycleStage = RfmScore['lifecycle'];
export const LIFECYCLE_STAGES = allOf<LifecycleStage>()(['new', 'active', 'loyal', 'at_risk', 'lapsed']);

/**
 * Downloads `path` as CSV (Accept: text/csv) with the signed-in key and hands it to the browser as a
 * file (POSTing `postBody` when given: a computed plan); a refusal is thrown as ApiError with the API's message.
 */
export async function downloadCsv(key: string, path: string, filename: string, postBody?: unknown): Promise<void> {
  const auth = authOf(key);
  const res = await fetch(path, {
    credentials: auth.credentials,
    ...(postBody === undefined
      ? { headers: { ...auth.headers, accept: 'text/csv' } }
      : {
          method: 'POST',
          headers: { ...auth.headers, accept: 'text/csv', 'content-type': 'application/json' },
          body: JSON.stringify(postBody),
        }),
  });
  if (!res.ok) {
    let message = `HTTP ${res.status}`;
    let code = 'http_error';
    try {
      const body = (await res.json()) as { error?: { message?: string; code?: string } };
      message = body.error?.message ?? message;
      code = body.error?.code ?? code;
    } catch {
      // not JSON
    }
    throw new ApiError(res.status, code, message);
  }
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
