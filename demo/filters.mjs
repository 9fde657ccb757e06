// The image filters: grayscale, then brightness, then a 3×3 box blur, on RGBA
// pixels (4 bytes a pixel, rows stored top to bottom without padding).
//
// Every mode of the demo (one thread, copy, move, share) calls the same
// `filterRows`, so they all do exactly the same arithmetic and must produce
// identical bytes. All arithmetic is integer (or exactly rounded), so the
// result does not depend on how the image is cut into row ranges.
//
// The blur needs the row above and the row below each output row. A row range
// [y0, y1) therefore reads the source rows [y0 - 1, y1 + 1) (clamped to the
// image): a one-row "halo" on each side. Grayscale and brightness are cheap
// and per pixel, so they are simply recomputed for the two halo rows instead
// of being shared between ranges (which would need a second pass and a
// barrier). The blur writes to a separate output buffer, never in place.
//
// Rows are streamed: the toned (grayscale + brightness) rows live in a ring
// of three row buffers, so the working set is a few rows (a few tens of KB)
// whatever the range size.

/** ITU-R BT.601 luma weights in 8.8 fixed point (77 + 150 + 29 = 256). */
const LUMA_R = 77;
const LUMA_G = 150;
const LUMA_B = 29;

/**
 * A 256-entry table for `brightness`: v -> min(255, round(v * factor)).
 * A table keeps the per-pixel work to one lookup and makes every thread round
 * the same way.
 */
export function brightnessTable(factor) {
  const table = new Uint8Array(256);
  for (let v = 0; v < 256; v++) table[v] = Math.min(255, Math.round(v * factor));
  return table;
}

/** Grayscale: one row of `width` pixels from `src` at byte `srcAt` into `out` (from 0); alpha kept. */
export function grayscaleRow(src, srcAt, out, width) {
  for (let i = 0, j = srcAt, end = width * 4; i < end; i += 4, j += 4) {
    const gray = (LUMA_R * src[j] + LUMA_G * src[j + 1] + LUMA_B * src[j + 2] + 128) >> 8;
    out[i] = gray;
    out[i + 1] = gray;
    out[i + 2] = gray;
    out[i + 3] = src[j + 3];
  }
}

/** Brightness: scales R, G and B of one row in place through `table` (see brightnessTable). */
export function brightnessRow(row, width, table) {
  for (let i = 0, end = width * 4; i < end; i += 4) {
    row[i] = table[row[i]];
    row[i + 1] = table[row[i + 1]];
    row[i + 2] = table[row[i + 2]];
  }
}

/**
 * 3×3 box blur of one row: each of R, G, B becomes the rounded mean of its 3×3
 * neighbourhood in `above`, `row` and `below`; alpha is copied from `row`.
 * At the left and right edges the border pixel is repeated (the caller does
 * the same for the top and bottom rows), so every mean is over 9 values.
 * `sums` is scratch space of `width * 4` 16-bit words (column sums).
 */
export function blurRow(above, row, below, dst, dstAt, width, sums) {
  const end = width * 4;
  // Vertical pass: sum each channel over the three rows (at most 3 * 255).
  for (let i = 0; i < end; i++) sums[i] = above[i] + row[i] + below[i];
  // Horizontal pass: add the column sums left and right (at most 9 * 255).
  for (let x = 0; x < width; x++) {
    const at = x * 4;
    const left = x > 0 ? at - 4 : at;
    const right = x < width - 1 ? at + 4 : at;
    const o = dstAt + at;
    dst[o] = ((sums[left] + sums[at] + sums[right] + 4) / 9) | 0;
    dst[o + 1] = ((sums[left + 1] + sums[at + 1] + sums[right + 1] + 4) / 9) | 0;
    dst[o + 2] = ((sums[left + 2] + sums[at + 2] + sums[right + 2] + 4) / 9) | 0;
    dst[o + 3] = row[at + 3];
  }
}

/** Scratch memory for `filterRows` for images `width` pixels wide (reuse it: allocate once per thread). */
export function createScratch(width) {
  const rowBytes = width * 4;
  return {
    width,
    toned: [new Uint8Array(rowBytes), new Uint8Array(rowBytes), new Uint8Array(rowBytes)],
    sums: new Uint16Array(rowBytes),
  };
}

/**
 * Runs the whole pipeline for the image rows [y0, y1) of a `width` × `height`
 * image.
 *
 * `src` holds source rows starting at image row `srcFirstRow` (the whole image
 * with srcFirstRow = 0, or just a chunk with its halo); it must contain the
 * rows [max(0, y0 - 1), min(height, y1 + 1)). `dst` receives the filtered rows
 * starting at image row `dstFirstRow` (0 for a whole-image buffer, y0 for a
 * buffer of just this range). `src` and `dst` may be SharedArrayBuffer views.
 */
export function filterRows({ src, srcFirstRow, dst, dstFirstRow, width, height, y0, y1, table, scratch }) {
  const stride = width * 4;
  const { toned, sums } = scratch;
  // Toned row r lives in toned[r % 3]; the rows a blur needs, r - 1, r and r + 1,
  // are always in three different buffers.
  const tone = (r) => {
    const out = toned[r % 3];
    grayscaleRow(src, (r - srcFirstRow) * stride, out, width);
    brightnessRow(out, width, table);
  };

  const first = Math.max(0, y0 - 1);
  for (let r = first; r <= y0; r++) tone(r);
  for (let y = y0; y < y1; y++) {
    if (y + 1 < height) tone(y + 1);
    // Clamp at the top and bottom of the image (not of the range): repeat the edge row.
    const above = toned[Math.max(0, y - 1) % 3];
    const below = toned[Math.min(height - 1, y + 1) % 3];
    blurRow(above, toned[y % 3], below, dst, (y - dstFirstRow) * stride, width, sums);
  }
}
