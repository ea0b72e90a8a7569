import { WRAPPED_KEY_COLUMNS } from '../modules/wrapped-keys';
import type { Config } from '../platform/config';
import { MasterKeyError, parseMasterKey } from '../platform/crypto/keys';
import { readKeyState, replaceKeyFile, resolveMasterKey } from '../platform/crypto/master-key';
import { rotateMasterKey } from '../platform/crypto/rotate-master';
import { openDatabase } from '../platform/db/database';

/** `santong keys rotate-master`: see rotateMasterKey. The new key: --new-key or SANTONG_NEW_MASTER_KEY. */
export async function rotateMasterCommand(
  config: Config,
  opts: { newKey: string | undefined; batch: number },
): Promise<void> {
  const raw = opts.newKey ?? process.env.SANTONG_NEW_MASTER_KEY;
  if (!raw)
    throw new MasterKeyError(
      'keys rotate-master needs the new key: --new-key HEX or SANTONG_NEW_MASTER_KEY (64 hex characters)',
    );
  const next = parseMasterKey(raw, 'the new master key');

  // One connection: on PostgreSQL every other session is someone else's (see assertNoOtherSessions).
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 1 });
  try {
    const started = Date.now();
    const current = resolveMasterKey(config, (await readKeyState(database.db))?.fingerprint ?? null);
    const r = await rotateMasterKey(database, current, next, WRAPPED_KEY_COLUMNS, opts.batch);
    if (r.already) process.stdout.write('this database already has the new master key\n');
    else {
      const counts = Object.entries(r.rewrapped)
        .map(([column, n]) => `${column} ${n.toLocaleString('en')}`)
        .join(', ');
      process.stdout.write(
        `master key rotated in ${((Date.now() - started) / 1000).toFixed(1)} s; re-wrapped: ${counts}\n`,
      );
    }
    if (current.file) {
      replaceKeyFile(current.file, next);
      process.stdout.write(`the new key is in ${current.file}\n`);
    } else process.stdout.write('start servers and commands with the new key in SANTONG_MASTER_KEY\n');
  } finally {
    await database.close();
  }
}
