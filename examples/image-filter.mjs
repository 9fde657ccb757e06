// A concurrent image filter. The image (640×480 RGBA) lives in a
// SharedArrayBuffer, so workers read and write the pixels in place: no copy
// goes in or out. Each worker takes a band of rows and runs two passes:
//
//   pass 1: grayscale  source -> gray   (each pixel on its own)
//   pass 2: 3×3 blur   gray   -> output (needs the rows above and below)
//
// Pass 2 of one band reads pass-1 rows of the neighbouring bands, so every
// worker waits at a Barrier between the passes. A Latch tells the main thread
// when all bands are done (instead of polling a progress array).
// The main thread computes the same filter on one thread and compares.
//
// Run: node examples/image-filter.mjs
// Prints `parallel checksum <hex>`, `single-thread checksum <hex>` and `match ok`.
import { Worker, isMainThread, workerData } from 'node:worker_threads';
import { Barrier, Latch, attach } from 'shmkit';

const WIDTH = 640;
const HEIGHT = 480;
const WORKERS = 3;

if (isMainThread) {
  const bytes = WIDTH * HEIGHT * 4;
  const source = new Uint8Array(new SharedArrayBuffer(bytes));
  const gray = new Uint8Array(new SharedArrayBuffer(bytes));
  const output = new Uint8Array(new SharedArrayBuffer(bytes));
  paintTestImage(source);

  const between = new Barrier(WORKERS); // between pass 1 and pass 2
  const done = new Latch(WORKERS); // counted down once per finished band
  const rowsEach = Math.ceil(HEIGHT / WORKERS);
  const workers = [];
  for (let w = 0; w < WORKERS; w++) {
    const rows = [w * rowsEach, Math.min(HEIGHT, (w + 1) * rowsEach)];
    const worker = new Worker(new URL(import.meta.url), { workerData: { source, gray, output, rows, between, done } });
    worker.on('error', (err) => {
      console.error(err);
      process.exit(1);
    });
    workers.push(worker);
  }

  // Meanwhile, the reference: the same two passes on this thread alone.
  const refGray = new Uint8Array(bytes);
  const refOut = new Uint8Array(bytes);
  grayscale(source, refGray, 0, HEIGHT);
  blur(refGray, refOut, 0, HEIGHT);

  await done.waitAsync({ timeout: 30_000 }); // every band written to `output`
  const parallel = checksum(output);
  const single = checksum(refOut);
  console.log(`image ${WIDTH}x${HEIGHT} workers ${WORKERS}`);
  console.log(`parallel checksum ${hex(parallel)}`);
  console.log(`single-thread checksum ${hex(single)}`);
  console.log(parallel === single ? 'match ok' : 'match FAILED');
  if (parallel !== single) process.exitCode = 1;
} else {
  const { source, gray, output, rows, between, done } = attach(workerData);
  const [from, to] = rows;
  grayscale(source, gray, from, to);
  between.wait({ timeout: 10_000 }); // all of `gray` is written now
  blur(gray, output, from, to);
  done.countDown();
}

/** A gradient with a pattern, so that the blur has something to do. */
function paintTestImage(img) {
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const i = (y * WIDTH + x) * 4;
      img[i] = (x * 255) / WIDTH;
      img[i + 1] = (y * 255) / HEIGHT;
      img[i + 2] = (x ^ y) & 0xff;
      img[i + 3] = 255;
    }
  }
}

/** Pass 1 for rows [from, to): luminance into R, G and B. */
function grayscale(src, dst, from, to) {
  for (let i = from * WIDTH * 4, end = to * WIDTH * 4; i < end; i += 4) {
    const g = 0.299 * src[i] + 0.587 * src[i + 1] + 0.114 * src[i + 2];
    dst[i] = dst[i + 1] = dst[i + 2] = g;
    dst[i + 3] = src[i + 3];
  }
}

/** Pass 2 for rows [from, to): a 3×3 box blur (reads rows from - 1 and to). */
function blur(src, dst, from, to) {
  for (let y = from; y < to; y++) {
    for (let x = 0; x < WIDTH; x++) {
      let r = 0, g = 0, b = 0, n = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= HEIGHT) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= WIDTH) continue;
          const j = (ny * WIDTH + nx) * 4;
          r += src[j];
          g += src[j + 1];
          b += src[j + 2];
          n++;
        }
      }
      const i = (y * WIDTH + x) * 4;
      dst[i] = r / n;
      dst[i + 1] = g / n;
      dst[i + 2] = b / n;
      dst[i + 3] = src[i + 3];
    }
  }
}

/** FNV-1a over every byte: a 32-bit fingerprint of the image. */
function checksum(bytes) {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

function hex(n) {
  return n.toString(16).padStart(8, '0');
}
