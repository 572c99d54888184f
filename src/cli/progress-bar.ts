import cliProgress from 'cli-progress';
import type { Progress } from '../backup/index.js';

/** A cli-progress bar on stderr (stdout stays for the summary lines), showing the current collection. */
export function documentsBar(verb: string): Progress & { stop(): void } {
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, clearOnComplete: false, hideCursor: true, format: `${verb} [{bar}] {percentage}% | {value}/{total} documents | {collection}` },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    start(total) {
      started = true;
      bar.start(total, 0, { collection: '' });
    },
    advance(documents, collection) {
      bar.increment(documents, { collection });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
