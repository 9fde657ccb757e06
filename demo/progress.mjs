// Progress output for a fixed number of runs (one run = one filtering of the
// whole image). On a terminal: one bar line redrawn in place with "\r",
// showing overall progress, the current run and the last time. Otherwise
// (piped, CI logs): one plain line per finished run.

const REDRAW_MS = 50;
const CLEAR_TO_END = '\x1b[K';

export class Progress {
  #stream;
  #tty;
  #total;
  #finished = 0;
  #label = '';
  #last = '';
  #live = () => 0; // fraction of the current run done
  #running = false;
  #timer = null;

  /** `total`: how many runs there will be. */
  constructor(total, stream = process.stdout) {
    this.#stream = stream;
    this.#tty = Boolean(stream.isTTY);
    this.#total = total;
  }

  /** A run starts: `label` names it; `live()` says how far it is (0..1) while it runs. */
  begin(label, live = () => 0) {
    this.#label = label;
    this.#live = live;
    this.#running = true;
    if (!this.#tty) return;
    this.#draw();
    // The timer only fires while the main thread's event loop is free: during
    // the worker modes, not during the one-thread runs.
    this.#timer = setInterval(() => this.#draw(), REDRAW_MS);
  }

  /** The current run is over; `note` (say, its time) is shown with it. */
  end(note) {
    clearInterval(this.#timer);
    this.#running = false;
    this.#finished++;
    this.#last = `${this.#label}: ${note}`;
    if (this.#tty) this.#draw();
    else this.#stream.write(`  ${this.#label.padEnd(22)} ${note}\n`);
  }

  /** Prints a line of its own above the bar. */
  log(line) {
    if (this.#tty) this.#stream.write(`\r${CLEAR_TO_END}`);
    this.#stream.write(`${line}\n`);
    if (this.#tty && this.#finished > 0 && this.#finished < this.#total) this.#draw();
  }

  /** Removes the bar (on a terminal), leaving the cursor at the start of an empty line. */
  close() {
    clearInterval(this.#timer);
    if (this.#tty) this.#stream.write(`\r${CLEAR_TO_END}`);
  }

  #draw() {
    const current = this.#running ? Math.min(1, Math.max(0, this.#live())) : 0;
    const fraction = Math.min(1, (this.#finished + current) / this.#total);
    const columns = this.#stream.columns || 80;
    const width = Math.max(10, Math.min(30, columns - 70));
    const filled = Math.round(fraction * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
    const now = this.#running ? this.#label : 'between runs';
    const last = this.#last ? `  (last: ${this.#last})` : '';
    // Never wider than the terminal: a wrapped line cannot be redrawn with "\r".
    const line = `${bar} ${percent}  ${now}${last}`.slice(0, columns - 1);
    this.#stream.write(`\r${line}${CLEAR_TO_END}`);
  }
}
