// A minimal PNG encoder for 8-bit RGBA images: signature, IHDR, one IDAT
// (zlib deflate from node:zlib) and IEND, each chunk with its CRC-32.
// Every scanline uses the "Sub" filter (each byte minus the byte of the pixel
// to its left), which makes smooth gradients compress far better than
// unfiltered rows, at the cost of one subtraction a byte.

import { deflateSync } from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const COLOR_TYPE_RGBA = 6;
const FILTER_SUB = 1;

/** CRC-32 (ISO-HDLC, polynomial 0xEDB88320) lookup table, as in the PNG spec's sample code. */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32 of `bytes`, continuing from `crc` (pass the previous result to chain). */
export function crc32(bytes, crc = 0) {
  let c = ~crc;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** One PNG chunk: length, type, data, CRC over type and data. */
function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))), 0);
  return [head, data, crc];
}

/**
 * Encodes `pixels` (a Uint8Array of width * height * 4 RGBA bytes) as a PNG
 * file and returns it as a Buffer. `level` is the zlib compression level.
 */
export function encodePng(pixels, width, height, { level = 6 } = {}) {
  const stride = width * 4;
  // Each scanline is prefixed by its filter type byte.
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    const src = y * stride;
    const out = y * (stride + 1);
    raw[out] = FILTER_SUB;
    for (let i = 0; i < 4; i++) raw[out + 1 + i] = pixels[src + i]; // the first pixel has no left neighbour
    for (let i = 4; i < stride; i++) raw[out + 1 + i] = (pixels[src + i] - pixels[src + i - 4]) & 0xff;
  }

  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = COLOR_TYPE_RGBA;
  ihdr[10] = 0; // compression: deflate
  ihdr[11] = 0; // filter method 0 (the five adaptive filters)
  ihdr[12] = 0; // no interlace

  return Buffer.concat([
    SIGNATURE,
    ...chunk('IHDR', ihdr),
    ...chunk('IDAT', deflateSync(raw, { level })),
    ...chunk('IEND', Buffer.alloc(0)),
  ]);
}
