// The four ways the demo filters the image. Each mode is a factory:
//
//   const runner = await mode.create(ctx);   // set-up, not timed: workers, buffers
//   const job = runner.start();              // timed from here ...
//   await job.done;                          // ... to here: the whole filtered
//                                            // image is in runner.output
//   job.progress()                           // 0..1 while it runs (for the bar)
//   await runner.close();
//
// `ctx` holds the image size, the filter settings and the source image twice:
// `ctx.source` in a plain ArrayBuffer (for the one-thread, copy and move
// modes) and `ctx.sharedSource` in a SharedArrayBuffer (for share mode).

import { BufferPool, Latch, Queue } from 'shmkit';
import { brightnessTable, createScratch, filterRows } from './filters.mjs';
import { WorkerPool } from './worker-pool.mjs';

/** `height` rows cut into `parts` contiguous ranges [y0, y1) of (nearly) equal size; none empty. */
function splitRows(height, parts) {
  const ranges = Array.from({ length: parts }, (_, i) => [
    Math.floor((i * height) / parts),
    Math.floor(((i + 1) * height) / parts),
  ]);
  return ranges.filter(([y0, y1]) => y1 > y0); // more workers than rows: some stay idle
}

/** The source rows range [y0, y1) needs: itself plus a one-row halo above and below (for the blur). */
function withHalo(y0, y1, height) {
  return [Math.max(0, y0 - 1), Math.min(height, y1 + 1)];
}

function startWorkers(ctx) {
  return WorkerPool.start(ctx.workers, { width: ctx.width, height: ctx.height, brightness: ctx.brightness });
}

/**
 * One thread: the filters run on the main thread, over the whole image in one
 * go. Run it before the move mode: once the main thread has detached an
 * ArrayBuffer (BufferPool.release does), its typed-array code gets slower
 * (see `move`), which would flatter every speed-up.
 */
export const single = {
  name: '1 thread',
  async create(ctx) {
    const { width, height } = ctx;
    const output = new Uint8Array(width * height * 4);
    const table = brightnessTable(ctx.brightness);
    const scratch = createScratch(width);
    return {
      output,
      start() {
        filterRows({ src: ctx.source, srcFirstRow: 0, dst: output, dstFirstRow: 0, width, height, y0: 0, y1: height, table, scratch });
        return { done: Promise.resolve(), progress: () => 1 };
      },
      close() {},
    };
  },
};

/**
 * copy: each worker gets its rows (with halo) as a structured-clone copy in a
 * postMessage and sends its filtered rows back the same way; the main thread
 * copies them into the output image.
 */
export const copy = {
  name: 'copy',
  async create(ctx) {
    const { width, height } = ctx;
    const stride = width * 4;
    const workers = await startWorkers(ctx);
    const output = new Uint8Array(width * height * 4);
    const ranges = splitRows(height, workers.size);
    return {
      output,
      startupMs: workers.startupMs,
      start() {
        let rowsDone = 0;
        const done = Promise.all(
          ranges.map(async ([y0, y1], i) => {
            const [lo, hi] = withHalo(y0, y1, height);
            // slice() copies just this worker's rows into a buffer of their own.
            // Posting ctx.source.subarray(...) instead would clone the whole
            // image: structured clone copies a view's entire ArrayBuffer.
            const rows = ctx.source.slice(lo * stride, hi * stride);
            const reply = await workers.request(i, { type: 'copy', rows, firstRow: lo, y0, y1 });
            output.set(reply.pixels, y0 * stride);
            rowsDone += y1 - y0;
          }),
        );
        return { done, progress: () => rowsDone / height };
      },
      close: () => workers.close(),
    };
  },
};

/**
 * move: each worker gets its rows (with halo) in an ArrayBuffer from the main
 * thread's BufferPool, plus a pooled buffer for its result, both transferred
 * (moved, not copied). The worker transfers both back; the main thread copies
 * the result into the output image and releases both buffers into its pool,
 * so after the warm-up run no new memory is allocated.
 *
 * A cost that is easy to miss: the first time a thread detaches an
 * ArrayBuffer (every transfer does, and so does BufferPool.release), V8
 * invalidates that thread's "ArrayBufferDetaching" protector, and from then on
 * its optimized code checks typed-array accesses for a detached buffer. The
 * move workers run the very same filter code about a third slower than the
 * share workers because of it (on the 2-core VM this was written on: ~95 ms
 * against ~70 ms for half of a 3840×2160 image; detaching a single 8-byte
 * buffer in the share workers makes share exactly as slow as move).
 */
export const move = {
  name: 'move',
  async create(ctx) {
    const { width, height } = ctx;
    const stride = width * 4;
    const workers = await startWorkers(ctx);
    // Room to keep one run's buffers: the image twice (in and out) plus the halo rows.
    const pool = new BufferPool({ maxRetainedBytes: 2 * (height + 2 * workers.size) * stride });
    const output = new Uint8Array(width * height * 4);
    const ranges = splitRows(height, workers.size);
    return {
      output,
      startupMs: workers.startupMs,
      stats: () => pool.stats,
      start() {
        let rowsDone = 0;
        const done = Promise.all(
          ranges.map(async ([y0, y1], i) => {
            const [lo, hi] = withHalo(y0, y1, height);
            const input = pool.acquire((hi - lo) * stride);
            new Uint8Array(input).set(ctx.source.subarray(lo * stride, hi * stride));
            const result = pool.acquire((y1 - y0) * stride);
            const job = { type: 'move', input, output: result, firstRow: lo, y0, y1 };
            const reply = await workers.request(i, job, [input, result]); // both detached here now
            output.set(new Uint8Array(reply.output), y0 * stride);
            pool.release(reply.input);
            pool.release(reply.output);
            rowsDone += y1 - y0;
          }),
        );
        return { done, progress: () => rowsDone / height };
      },
      close: () => workers.close(),
    };
  },
};

/**
 * share: source and output images live in SharedArrayBuffers that every
 * worker sees. The main thread fills a shmkit Queue with row-range items
 * (item k = rows [k * rowsPerItem, (k + 1) * rowsPerItem)), closes it, and
 * tells the workers to drain it; each worker counts a shmkit Latch down per
 * finished item, and the main thread awaits `latch.waitAsync()`, which keeps
 * its event loop free (the progress bar reads `latch.count`). Nothing is
 * copied: the workers write their rows straight into the output image.
 */
export const share = {
  name: 'share',
  async create(ctx) {
    const { width, height, rowsPerItem } = ctx;
    const workers = await startWorkers(ctx);
    const output = new Uint8Array(new SharedArrayBuffer(width * height * 4));
    const items = Math.ceil(height / rowsPerItem);
    return {
      output,
      startupMs: workers.startupMs,
      start() {
        const queue = new Queue(Int32Array, items); // room for every item: pushes never wait
        for (let k = 0; k < items; k++) queue.push(k);
        queue.close(); // workers stop when it is drained
        const latch = new Latch(items);
        const job = { type: 'share', src: ctx.sharedSource.buffer, dst: output.buffer, queue, latch, rowsPerItem };
        for (let i = 0; i < workers.size; i++) workers.post(i, job);
        // If a worker dies, the latch never reaches zero: stop waiting then
        // (a pending waitAsync keeps the process alive).
        const stop = new AbortController();
        const done = workers.race(latch.waitAsync({ signal: stop.signal })).finally(() => stop.abort());
        return { done, progress: () => 1 - latch.count / items };
      },
      close: () => workers.close(),
    };
  },
};

export const MODES = [single, copy, move, share];
