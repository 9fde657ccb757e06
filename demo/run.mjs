// npm run demo: an image-filter pipeline (grayscale, brightness, 3×3 blur) on
// a synthetic test card, run on one thread and then split across worker
// threads in three ways:
//
//   copy   the pixels travel in postMessage as structured-clone copies
//   move   pooled ArrayBuffers (shmkit BufferPool) are transferred, not copied
//   share  the image sits in a SharedArrayBuffer; workers take row ranges off
//          a shmkit Queue and count a shmkit Latch down as they finish
//
// It prints the median time of each mode and its speed-up over one thread,
// checks that every run of every mode produced exactly the one-thread bytes
// (exit status 1 if not), and writes the input and the filtered image as PNGs.
//
//   node demo/run.mjs [--width 3840] [--height 2160] [--reps 5] [--workers N]
//                     [--rows-per-item 32] [--brightness 1.25] [--out demo/out]

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { paintTestCard } from './image.mjs';
import { MODES } from './modes.mjs';
import { encodePng } from './png.mjs';
import { Progress } from './progress.mjs';

const WARMUP_RUNS = 1; // per mode, untimed: JIT warm-up, first-touch page faults, pool fill

const USAGE = `usage: node demo/run.mjs [options]
  --width N          image width in pixels (default 3840)
  --height N         image height in pixels (default 2160)
  --reps N           timed runs per mode; the median is reported (default 5)
  --workers N        worker threads (default os.availableParallelism())
  --rows-per-item N  rows in one share-mode work item (default 32)
  --brightness F     brightness factor (default 1.25)
  --out DIR          where the PNGs go (default demo/out)`;

/** A bad command line: reported with the usage text, without a stack trace. */
class UsageError extends Error {}

function parseOptions() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        width: { type: 'string', default: '3840' },
        height: { type: 'string', default: '2160' },
        reps: { type: 'string', default: '5' },
        workers: { type: 'string', default: String(os.availableParallelism()) },
        'rows-per-item': { type: 'string', default: '32' },
        brightness: { type: 'string', default: '1.25' },
        out: { type: 'string', default: fileURLToPath(new URL('./out/', import.meta.url)) },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (err) {
    throw new UsageError(err.message);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name, min, max) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${values[name]}`);
    }
    return n;
  };
  const brightness = Number(values.brightness);
  if (!(brightness >= 0 && brightness <= 16)) throw new UsageError(`--brightness must be a number from 0 to 16, got ${values.brightness}`);
  return {
    width: int('width', 1, 16384),
    height: int('height', 1, 16384),
    reps: int('reps', 1, 100),
    workers: int('workers', 1, 256),
    rowsPerItem: int('rows-per-item', 1, 16384),
    brightness,
    out: values.out,
  };
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const ms = (t) => `${t.toFixed(1)} ms`;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Runs one mode: warm-up and timed runs. Every run's output is hashed and
 * compared with `reference` (the sha256 of the first one-thread run; for the
 * one-thread mode itself, undefined until its first run).
 */
async function measure(mode, ctx, { reps, progress, reference }) {
  const runner = await mode.create(ctx); // workers start here, before any timing
  try {
    if (runner.startupMs !== undefined) {
      progress.log(`${mode.name}: ${ctx.workers} workers started in ${ms(runner.startupMs)} (not timed)`);
    }
    const times = [];
    let identical = true;
    for (let run = 0; run < WARMUP_RUNS + reps; run++) {
      const warmup = run < WARMUP_RUNS;
      runner.output.fill(0); // a run that leaves rows unwritten cannot pass the check
      let job;
      const label = warmup ? `${mode.name} warm-up` : `${mode.name} run ${run - WARMUP_RUNS + 1}/${reps}`;
      progress.begin(label, () => (job ? job.progress() : 0));
      const t0 = performance.now();
      job = runner.start();
      await job.done;
      const elapsed = performance.now() - t0;
      progress.end(ms(elapsed));
      if (!warmup) times.push(elapsed);

      const digest = sha256(runner.output);
      reference ??= digest;
      if (digest !== reference) identical = false;
    }
    return { name: mode.name, times, startupMs: runner.startupMs, reference, identical, output: runner.output, stats: runner.stats?.() };
  } finally {
    await runner.close();
  }
}

function printHeader({ width, height, reps, workers, brightness }) {
  const mib = (width * height * 4) / 2 ** 20;
  console.log(`shmkit image-pipeline demo: ${width}×${height} RGBA (${mib.toFixed(1)} MiB), grayscale → brightness ×${brightness} → 3×3 box blur`);
  console.log(
    `${workers} worker${workers === 1 ? '' : 's'} (os.availableParallelism() = ${os.availableParallelism()}), ` +
      `${reps} timed run${reps === 1 ? '' : 's'} per mode after ${WARMUP_RUNS} warm-up` +
      (process.env.SHMKIT_NO_FAST_PATH === '1' ? ', SHMKIT_NO_FAST_PATH=1' : ''),
  );
  const [load] = os.loadavg();
  if (load >= 0.5) console.log(`note: load average ${load.toFixed(2)}: if other processes are busy, the times will be noisy`);
}

function printTable(results, { workers }) {
  const base = median(results[0].times);
  const rows = [['mode', 'threads', 'median', 'best', 'speed-up', 'output']];
  for (const r of results) {
    const m = median(r.times);
    const isBase = r === results[0];
    const check = !r.identical ? 'MISMATCH' : isBase ? `sha256 ${r.reference.slice(0, 12)}… (reference)` : 'identical';
    rows.push([r.name, isBase ? '1' : String(workers), ms(m), ms(Math.min(...r.times)), `${(base / m).toFixed(2)}×`, check]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const line = (row) =>
    row
      .map((cell, c) => (c === 0 || c === 5 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('   ')
      .trimEnd();
  console.log(line(rows[0]));
  console.log(widths.map((w) => '─'.repeat(w)).join('   '));
  for (const row of rows.slice(1)) console.log(line(row));
}

function printReport(results, opts) {
  const startups = results.filter((r) => r.startupMs !== undefined).map((r) => `${r.name} ${ms(r.startupMs)}`);
  console.log(`
Times: median and best of the timed runs, from handing out the work until the whole filtered
image is in the main thread's output buffer. Worker start-up is not included: each mode starts
its own persistent workers before timing (${startups.join(', ')}).
`);
  printTable(results, opts);
  const ceiling = Math.min(opts.workers, os.availableParallelism());
  console.log(`
Why they differ (${ceiling}× is the ceiling with ${opts.workers} workers on ${os.availableParallelism()} cores):
  copy   every byte is copied six times a run (slice, postMessage there and back, each a
         serialize and a deserialize, then into the output), mostly into fresh memory
  move   no clones and no new memory (BufferPool), but once a thread has detached an ArrayBuffer
         (every transfer does), V8 checks its typed-array accesses for detached buffers and the
         workers' filter loops run noticeably slower (see the note in demo/modes.mjs)
  share  nothing is copied: the workers write straight into the shared output image`);

  const moved = results.find((r) => r.stats);
  if (moved) {
    const s = moved.stats;
    console.log(
      `\nmove: the main thread's BufferPool: acquired ${s.acquired}, released ${s.released}, hits ${s.hits}, ` +
        `misses ${s.misses}, retained ${(s.retainedBytes / 2 ** 20).toFixed(1)} MiB, outstanding ${s.outstanding}, leaked ${s.leaked}`,
    );
  }
}

/** Prints the output check; false if any run of any mode differed from the first one-thread run. */
function checkOutputs(results, runsPerMode) {
  const reference = results[0].reference;
  const bad = results.filter((r) => !r.identical);
  if (bad.length === 0) {
    console.log(
      `\nOutput check: all ${results.length * runsPerMode} runs (${results.map((r) => r.name).join(', ')}) ` +
        `produced the same bytes, sha256 ${reference}`,
    );
    return true;
  }
  console.log(`\nOutput check FAILED: ${bad.map((r) => r.name).join(', ')} produced bytes that differ from one thread's (sha256 ${reference})`);
  return false;
}

function writePngs(dir, images, width, height) {
  mkdirSync(dir, { recursive: true });
  for (const [name, pixels] of images) {
    const file = path.join(dir, name);
    writeFileSync(file, encodePng(pixels, width, height));
    const relative = path.relative(process.cwd(), file);
    console.log(`wrote ${relative.startsWith('..') ? file : relative}`);
  }
}

async function main() {
  const opts = parseOptions();
  const { width, height, reps, workers } = opts;
  printHeader(opts);

  const t0 = performance.now();
  const source = new Uint8Array(width * height * 4);
  paintTestCard(source, width, height);
  const sharedSource = new Uint8Array(new SharedArrayBuffer(source.length));
  sharedSource.set(source);
  console.log(`test card painted in ${ms(performance.now() - t0)}\n`);

  const ctx = { width, height, brightness: opts.brightness, workers, rowsPerItem: opts.rowsPerItem, source, sharedSource };
  const progress = new Progress(MODES.length * (WARMUP_RUNS + reps));
  const results = [];
  try {
    // In this order: the one-thread runs come first, before anything detaches
    // an ArrayBuffer on the main thread (see the move mode in modes.mjs).
    for (const mode of MODES) {
      results.push(await measure(mode, ctx, { reps, progress, reference: results[0]?.reference }));
    }
  } finally {
    progress.close();
  }

  printReport(results, opts);
  if (!checkOutputs(results, WARMUP_RUNS + reps)) process.exitCode = 1;
  writePngs(opts.out, [['original.png', source], ['filtered.png', results[0].output]], width, height);
}

main().catch((err) => {
  if (err instanceof UsageError) console.error(`${err.message}\n${USAGE}`);
  else console.error(`\ndemo failed: ${err.stack ?? err}`);
  process.exitCode = 2;
});
