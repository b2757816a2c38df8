/** A one-line progress bar on stderr (redrawn in place on a terminal, a line per 10% otherwise). */
export function progressBar(label: string, total: number): { update(done: number, note?: string): void; end(note?: string): void } {
  const tty = process.stderr.isTTY === true;
  let lastTenth = -1;
  const started = Date.now();
  const draw = (done: number, note: string, final: boolean): void => {
    const fraction = total === 0 ? 1 : Math.min(1, done / total);
    const width = 30;
    const filled = Math.round(fraction * width);
    const elapsed = (Date.now() - started) / 1000;
    const eta = fraction > 0 && fraction < 1 ? ` eta ${Math.round((elapsed / fraction) * (1 - fraction))} s` : '';
    const line = `${label.padEnd(22)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${note}${eta}`;
    if (tty) process.stderr.write(`\r${line}\u001b[K${final ? '\n' : ''}`);
    else {
      const tenth = Math.floor(fraction * 10);
      if (tenth !== lastTenth || final) {
        lastTenth = tenth;
        process.stderr.write(`${line}\n`);
      }
    }
  };
  return {
    update: (done, note = '') => draw(done, note, false),
    end: (note = '') => draw(total, note, true),
  };
}
