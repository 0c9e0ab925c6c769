import { monotonicMs } from '../files/clock.js';

/** A one-line progress bar on stderr (only on a terminal, never with --quiet). */
export class Progress {
  private last = 0;
  private readonly started = monotonicMs();
  constructor(private readonly enabled: boolean) {}

  update(done: number, total: number): void {
    if (!this.enabled) return;
    const now = monotonicMs();
    if (done < total && now - this.last < 80) return;
    this.last = now;
    const width = 30;
    const filled = total ? Math.round((done / total) * width) : width;
    const rate = done / Math.max((now - this.started) / 1000, 1e-3);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} files, ${rate.toFixed(0)} files/s`);
  }

  clear(): void {
    if (this.enabled) process.stderr.write('\r\x1b[K');
  }
}
