import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** Which code a benchmark measured: the commit and how many files under src/ differ from it. */
export function codeRevision(): string {
  const root = path.resolve(import.meta.dirname, '..');
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean).length;
    return dirty ? `${head} + ${dirty} uncommitted file(s) under src/` : `${head} (src/ clean)`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}
