// The worker side of the three modes. A worker is started once per mode and
// then serves one job message after another; `workerData` fixes the image
// size and the brightness factor. Every job ends in `filterRows`, the same
// code the single-thread run uses.
//
//   copy:  { type: 'copy', rows, firstRow, y0, y1 }
//          `rows` arrived as a structured-clone copy; the result goes back the
//          same way (postMessage copies it, so one result buffer is reused).
//   move:  { type: 'move', input, output, firstRow, y0, y1 }
//          two ArrayBuffers from the main thread's BufferPool, transferred
//          (not copied); both are transferred back for the pool to reuse.
//   share: { type: 'share', src, dst, queue, latch, rowsPerItem }
//          the whole image in SharedArrayBuffers; pop row-range items off the
//          shared Queue until it is closed and drained, counting the Latch
//          down once per item. Nothing is posted back.

import { parentPort, workerData } from 'node:worker_threads';
import { attach } from 'shmkit';
import { brightnessTable, createScratch, filterRows } from './filters.mjs';

const { width, height, brightness } = workerData;
const stride = width * 4;
const table = brightnessTable(brightness);
const scratch = createScratch(width);
let copyResult = new Uint8Array(0); // reused across copy jobs

function runCopy({ rows, firstRow, y0, y1 }) {
  const bytes = (y1 - y0) * stride;
  if (copyResult.length !== bytes) copyResult = new Uint8Array(bytes);
  filterRows({ src: rows, srcFirstRow: firstRow, dst: copyResult, dstFirstRow: y0, width, height, y0, y1, table, scratch });
  parentPort.postMessage({ pixels: copyResult }); // structured clone: a copy
}

function runMove({ input, output, firstRow, y0, y1 }) {
  const src = new Uint8Array(input);
  const dst = new Uint8Array(output);
  filterRows({ src, srcFirstRow: firstRow, dst, dstFirstRow: y0, width, height, y0, y1, table, scratch });
  parentPort.postMessage({ input, output }, [input, output]); // moved back, no copy
}

function runShare(job) {
  const { queue, latch } = attach(job);
  const src = new Uint8Array(job.src);
  const dst = new Uint8Array(job.dst);
  const { rowsPerItem } = job;
  // The main thread filled the queue and closed it before posting this job,
  // so pop() never waits: it returns items until the queue is drained, then
  // undefined.
  for (let item; (item = queue.pop()) !== undefined; ) {
    const y0 = item * rowsPerItem;
    const y1 = Math.min(height, y0 + rowsPerItem);
    filterRows({ src, srcFirstRow: 0, dst, dstFirstRow: 0, width, height, y0, y1, table, scratch });
    latch.countDown();
  }
}

const handlers = { copy: runCopy, move: runMove, share: runShare };
parentPort.on('message', (job) => handlers[job.type](job));
parentPort.postMessage('ready');
