import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const run = fileURLToPath(new URL('../demo/run.mjs', import.meta.url));

test('npm run demo, small: the three modes match one thread and the PNG is written', () => {
  const out = mkdtempSync(join(tmpdir(), 'shmkit-demo-'));
  try {
    const r = spawnSync(process.execPath, [run, '--width', '320', '--height', '200', '--reps', '1', '--out', out], {
      encoding: 'utf8',
      timeout: 60_000,
      killSignal: 'SIGKILL',
    });
    assert.equal(r.status, 0, `demo exited ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
    for (const mode of ['copy', 'move', 'share']) assert.match(r.stdout, new RegExp(mode), `the table has ${mode}`);
    const png = readFileSync(join(out, 'filtered.png'));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
    assert.equal(png.readUInt32BE(16), 320, 'width in IHDR');
    assert.equal(png.readUInt32BE(20), 200, 'height in IHDR');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
