import type { Logger } from 'pino';

/**
 * The lifecycle of a module's recorded run (CLV, demand forecasts): its row recorded as running,
 * the work finished in the background (startRun) or awaited (runNow), and on an error the row
 * marked failed — with the error's own message when the module says the caller may see it (the
 * data was unusable), else 'internal error', logged.
 */
export interface RunKind<P> {
  /** For the log: 'CLV run', 'forecast run'. */
  name: string;
  /** Records the run; its id. */
  record(params: P): Promise<string>;
  finish(id: string, params: P): Promise<void>;
  fail(id: string, error: string): Promise<void>;
  /** The message a caller may see for this error, or null. */
  visible?(err: unknown): string | null;
}

/** Records a run and finishes it in the background; the run's row says when it is done. */
export async function startRun<P>(
  kind: RunKind<P>,
  log: Logger,
  params: P,
): Promise<{ id: string; status: 'running' }> {
  const id = await kind.record(params);
  void kind.finish(id, params).catch(async (err: unknown) => {
    const visible = kind.visible?.(err) ?? null;
    if (visible === null) log.error({ err, run: id }, `${kind.name} failed`);
    await kind
      .fail(id, visible ?? 'internal error')
      .catch((e: unknown) => log.error({ err: e, run: id }, `${kind.name} not marked failed`));
  });
  return { id, status: 'running' };
}

/** Records and finishes a run before returning (the demo seeder, tests); its id. */
export async function runNow<P>(kind: RunKind<P>, params: P): Promise<string> {
  const id = await kind.record(params);
  try {
    await kind.finish(id, params);
  } catch (err) {
    await kind.fail(id, kind.visible?.(err) ?? 'internal error');
    throw err;
  }
  return id;
}
