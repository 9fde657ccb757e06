// A synthetic RGBA test card, drawn procedurally at any size, with things the
// filters visibly change:
//   * a hue sweep from left to right, darkening towards the bottom (grayscale
//     turns the hues into different grays; brightness lifts them);
//   * red, green and blue discs of equal size (three quite different grays);
//   * a zone plate in the middle: rings whose frequency rises to one cycle per
//     two pixels at the rim (the 3×3 blur washes the fine outer rings out);
//   * a strip of checkerboards with 1, 2, 4, 8, 16 and 32-pixel squares along
//     the bottom (the 1-pixel one blurs to flat gray, the large ones keep
//     their edges, only softened).
// Sizes are relative to the image height, so the layout scales.

/** Paints the test card into `pixels` (a Uint8Array of width * height * 4 bytes). */
export function paintTestCard(pixels, width, height) {
  const stride = width * 4;
  const unit = height / 1000; // layout unit: 1/1000 of the height

  const plate = { cx: width / 2, cy: height * 0.42, r: 330 * unit };
  // Phase k·r² has a local frequency of k·r/π cycles per pixel: 0.5 at the rim.
  const plateK = Math.PI / (2 * plate.r);
  const discs = [
    { cx: width * 0.14, cy: height * 0.3, r: 150 * unit, rgb: [230, 40, 40] },
    { cx: width * 0.14, cy: height * 0.62, r: 150 * unit, rgb: [40, 200, 60] },
    { cx: width * 0.86, cy: height * 0.3, r: 150 * unit, rgb: [40, 70, 230] },
    { cx: width * 0.86, cy: height * 0.62, r: 150 * unit, rgb: [250, 250, 250] },
  ];
  const strip = { top: Math.round(height * 0.84), bottom: Math.round(height * 0.96) };
  const checkSizes = [1, 2, 4, 8, 16, 32];
  const cellWidth = width / checkSizes.length;

  const rgb = [0, 0, 0];
  for (let y = 0; y < height; y++) {
    const shade = 1 - 0.6 * (y / height); // darker towards the bottom
    for (let x = 0; x < width; x++) {
      background(x / width, shade, rgb);

      for (const d of discs) {
        const dx = x - d.cx;
        const dy = y - d.cy;
        if (dx * dx + dy * dy <= d.r * d.r) {
          rgb[0] = d.rgb[0];
          rgb[1] = d.rgb[1];
          rgb[2] = d.rgb[2];
        }
      }

      const px = x - plate.cx;
      const py = y - plate.cy;
      const r2 = px * px + py * py;
      if (r2 <= plate.r * plate.r) {
        const v = Math.round(127.5 + 127.5 * Math.cos(plateK * r2));
        rgb[0] = v;
        rgb[1] = v;
        rgb[2] = (v + 64) >> 1; // a bluish tint, so grayscale has something to do
      }

      if (y >= strip.top && y < strip.bottom) {
        const cell = Math.min(checkSizes.length - 1, Math.floor(x / cellWidth));
        const size = checkSizes[cell];
        const on = (Math.floor(x / size) + Math.floor((y - strip.top) / size)) % 2 === 0;
        rgb[0] = on ? 250 : 10;
        rgb[1] = on ? 220 : 30;
        rgb[2] = on ? 120 : 60;
      }

      const at = y * stride + x * 4;
      pixels[at] = rgb[0];
      pixels[at + 1] = rgb[1];
      pixels[at + 2] = rgb[2];
      pixels[at + 3] = 255;
    }
  }
}

/** The background at relative x `t` (0..1): a fully saturated hue sweep, scaled by `shade`. */
function background(t, shade, out) {
  // Hue from 0 to 300 degrees (red through magenta), as six linear segments.
  const h = t * 5;
  const f = h - Math.floor(h);
  let r;
  let g;
  let b;
  switch (Math.floor(h)) {
    case 0: r = 1; g = f; b = 0; break;
    case 1: r = 1 - f; g = 1; b = 0; break;
    case 2: r = 0; g = 1; b = f; break;
    case 3: r = 0; g = 1 - f; b = 1; break;
    default: r = f; g = 0; b = 1; break;
  }
  out[0] = Math.round(255 * r * shade);
  out[1] = Math.round(255 * g * shade);
  out[2] = Math.round(255 * b * shade);
}
