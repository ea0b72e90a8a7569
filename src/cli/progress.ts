import cliProgress from 'cli-progress';
import type { Progress } from '../demo/seed';

/** A progress bar on a terminal; on a pipe (CI, logs) a line every 10%. */
export function progressBar(label: string): { update: Progress; stop(): void } {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} {phase}`, stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total, phase) {
        if (!started) {
          bar.start(total, done, { phase });
          started = true;
        }
        bar.setTotal(total);
        bar.update(done, { phase });
      },
      stop: () => bar.stop(),
    };
  }
  let lastDecile = -1;
  return {
    update(done, total, phase) {
      const decile = total === 0 ? 10 : Math.floor((done / total) * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        process.stderr.write(`${label}: ${decile * 10}% (${done}/${total} ${phase})\n`);
      }
    },
    stop() {},
  };
}
