// Runs every example in examples/ as its own process (the way a reader would:
// `node examples/<name>.mjs`, which also checks that `import 'shmkit'`
// resolves from inside the package) and checks what it prints. Each run has a
// hard time limit, so a broken primitive fails the suite instead of hanging
// it. SHMKIT_NO_FAST_PATH is passed through, so `npm test` runs the examples
// both ways.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const LIMIT = 60_000; // ms per example; they take well under a second each

/** Runs examples/`name`: `{ code, signal, stdout, stderr }`, killed after LIMIT ms. */
function runExample(name) {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [`examples/${name}`],
      { cwd: root, env: process.env, timeout: LIMIT, killSignal: 'SIGKILL', maxBuffer: 1 << 20 },
      (err, stdout, stderr) => resolve({ code: err ? err.code : 0, signal: err?.signal ?? null, killed: err?.killed ?? false, stdout, stderr }),
    );
  });
}

/** Runs `name`, asserts a clean exit, and returns its output lines. */
async function output(name) {
  const run = await runExample(name);
  const report = `\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`;
  assert.ok(!run.killed, `${name} did not finish within ${LIMIT} ms${report}`);
  assert.equal(run.code, 0, `${name} exited with ${run.code} (signal ${run.signal})${report}`);
  return {
    text: run.stdout,
    /** The match of `re` against one line of the output (asserts there is one). */
    line(re) {
      const m = run.stdout.match(new RegExp(re.source, 'm'));
      assert.ok(m, `${name}: no line matches ${re}${report}`);
      return m;
    },
  };
}

const checks = {
  async 'counter.mjs'() {
    const out = await output('counter.mjs');
    const expected = 4 * 100_000; // workers × iterations
    for (const way of ['mutex', 'atomics']) {
      const [, total, exp, verdict] = out.line(new RegExp(`^${way} total (\\d+) expected (\\d+) (.*)$`));
      assert.equal(Number(exp), expected);
      assert.equal(Number(total), expected, `${way}: lost increments`);
      assert.equal(verdict, 'ok');
    }
    // The racy version may lose updates, but can never invent any.
    const [, racy] = out.line(/^racy total (\d+) expected \d+ /);
    assert.ok(Number(racy) > 0 && Number(racy) <= expected, `racy total ${racy}`);
  },

  async 'producer-consumer.mjs'() {
    const out = await output('producer-consumer.mjs');
    const n = 100_000;
    const sum = (100 * n * (n + 1)) / 2; // items are 100, 200, ..., 100·n
    const [, pCount, pSum] = out.line(/^produced (\d+) sum (\d+)$/);
    assert.equal(Number(pCount), n);
    assert.equal(Number(pSum), sum);
    const [, cCount, cSum, verdict] = out.line(/^consumed (\d+) sum (\d+) (.*)$/);
    assert.equal(Number(cCount), n);
    assert.equal(Number(cSum), sum);
    assert.equal(verdict, 'in order ok');
  },

  async 'image-filter.mjs'() {
    const out = await output('image-filter.mjs');
    out.line(/^image 640x480 workers \d+$/);
    const [, parallel] = out.line(/^parallel checksum ([0-9a-f]{8})$/);
    const [, single] = out.line(/^single-thread checksum ([0-9a-f]{8})$/);
    assert.equal(parallel, single, 'the workers and the single-thread reference disagree');
    out.line(/^match ok$/);
  },

  async 'batch-queue.mjs'() {
    const out = await output('batch-queue.mjs');
    const n = 10_000;
    const [, items, processed, once, missing, duplicated, verdict] = out.line(
      /^items (\d+) processed (\d+) once (\d+) missing (\d+) duplicated (\d+) (.*)$/,
    );
    assert.deepEqual([items, processed, once, missing, duplicated, verdict].map(String), [
      `${n}`, `${n}`, `${n}`, '0', '0', 'ok',
    ]);
    const [, checksum, reference, ok] = out.line(/^results checksum (\S+) reference (\S+) (.*)$/);
    assert.equal(checksum, reference);
    assert.equal(ok, 'ok');
    const [, counts, total] = out.line(/^per worker ([\d ]+) total (\d+)$/);
    const perWorker = counts.trim().split(' ').map(Number);
    assert.equal(perWorker.length, 3);
    assert.equal(perWorker.reduce((a, b) => a + b, 0), n);
    assert.equal(Number(total), n);
  },

  async 'spsc-ring.mjs'() {
    const out = await output('spsc-ring.mjs');
    const n = 1_000_000;
    const [, single] = out.line(/^one-at-a-time (\d+) in order ok$/);
    const [, zeroCopy] = out.line(/^zero-copy (\d+) in order ok$/);
    assert.equal(Number(single), n / 2);
    assert.equal(Number(zeroCopy), n / 2);
    const [, total, sum, expected, verdict] = out.line(/^total (\d+) sum (\d+) expected (\d+) (.*)$/);
    assert.equal(Number(total), n);
    assert.equal(Number(expected), (n * (n - 1)) / 2);
    assert.equal(Number(sum), (n * (n - 1)) / 2);
    assert.equal(verdict, 'ok');
  },

  async 'locked-stack.mjs'() {
    const out = await output('locked-stack.mjs');
    const [, pushed, popped, left, lost, duplicated, verdict] = out.line(
      /^pushed (\d+) popped (\d+) left (\d+) lost (\d+) duplicated (\d+) (.*)$/,
    );
    assert.equal(Number(pushed), 3 * 10_000 * 2); // workers × rounds × 2 pushes
    assert.equal(Number(popped) + Number(left), Number(pushed));
    assert.equal(Number(lost), 0);
    assert.equal(Number(duplicated), 0);
    assert.equal(verdict, 'ok');
  },

  async 'worker-pool-transfer.mjs'() {
    const out = await output('worker-pool-transfer.mjs');
    const [, jobs, verified, verdict] = out.line(/^jobs (\d+) verified (\d+) (.*)$/);
    assert.equal(Number(jobs), 64);
    assert.equal(Number(verified), Number(jobs));
    assert.equal(verdict, 'ok');
    out.line(/^sender handle after transfer byteLength 0$/); // moved, not copied
    const [, hits, misses, outstanding, poolVerdict] = out.line(/^pool hits (\d+) misses (\d+) outstanding (\d+) (.*)$/);
    assert.equal(Number(hits) + Number(misses), Number(jobs));
    assert.ok(Number(hits) > Number(misses), `buffers were not reused: ${hits} hits, ${misses} misses`);
    assert.equal(Number(outstanding), 0);
    assert.equal(poolVerdict, 'ok');
  },

  async 'hybrid.mjs'() {
    const out = await output('hybrid.mjs');
    const [, jobs, blocks, checked, verdict] = out.line(/^jobs (\d+) through (\d+) blocks checked (\d+) (.*)$/);
    assert.equal(Number(checked), Number(jobs));
    assert.ok(Number(jobs) > Number(blocks), 'blocks must be reused');
    assert.equal(verdict, 'ok');
    const [, sum, expected] = out.line(/^checksum (\d+) expected (\d+) ok$/);
    assert.equal(sum, expected);
    const [, free, inUse, slabVerdict] = out.line(/^slab free (\d+) inUse (\d+) (.*)$/);
    assert.equal(Number(free), Number(blocks));
    assert.equal(Number(inUse), 0);
    assert.equal(slabVerdict, 'ok');
  },

  async 'lifetime-pitfalls.mjs'() {
    const out = await output('lifetime-pitfalls.mjs');
    // (a) a view keeps its whole buffer; a slice is its own small buffer
    out.line(/^\(a\) subarray header.length 16 header.buffer.byteLength 16777216 big buffer alive after gc true$/);
    out.line(/^\(a\) slice header.length 16 header.buffer.byteLength 16 big buffer alive after gc false$/);
    // (b) after a transfer the sender's handle is detached
    out.line(/^\(b\) worker received byteLength 1024 first 42$/);
    out.line(/^\(b\) after transfer ab.byteLength 0 view.length 0 view\[0\] undefined$/);
    out.line(/^\(b\) write through old view then view\[0\] undefined$/);
    out.line(/^\(b\) new Uint8Array\(ab\): throws TypeError$/);
    out.line(/^\(b\) ab.slice\(0\): throws TypeError$/);
    out.line(/^\(b\) view.fill\(0\): throws TypeError$/);
    out.line(/^\(b\) structuredClone\(ab\): throws DataCloneError$/);
    // (c) after pool.release the handle is detached too, and a second release is refused
    out.line(/^\(c\) after release buf.byteLength 0 bytes.length 0$/);
    out.line(/^\(c\) new Uint8Array\(buf\): throws TypeError$/);
    out.line(/^\(c\) pool.release\(buf\) again: throws TypeError ERR_INVALID_ARG_VALUE$/);
    const [, hits] = out.line(/^\(c\) acquire again byteLength 4096 hits (\d+) outstanding 1$/);
    assert.ok(Number(hits) >= 1, 'the released buffer was not reused');
    // (d) a released SlabPool block refuses use; a view kept from before does not (shared memory)
    out.line(/^\(d\) block.bytes after release: throws NotOwnerError ERR_SHMKIT_NOT_OWNER$/);
    out.line(/^\(d\) block.release\(\) again: throws NotOwnerError ERR_SHMKIT_NOT_OWNER$/);
    out.line(/^\(d\) slab.open\(old id\): throws StaleBlockError ERR_SHMKIT_STALE_BLOCK$/);
    out.line(/^\(d\) kept view written after release: next owner's first byte 99$/);
  },
};

for (const [name, check] of Object.entries(checks)) {
  test(`examples/${name}`, { timeout: LIMIT + 10_000 }, check);
}

test('every example in examples/ is run by this file', () => {
  const files = readdirSync(new URL('../examples/', import.meta.url));
  // (typed.mts is type-checked by `npm run typecheck`; a typed.mjs compiled from it is not an example of its own)
  const examples = files.filter((f) => f.endsWith('.mjs') && !files.includes(f.replace(/\.mjs$/, '.mts')));
  assert.deepEqual(examples.sort(), Object.keys(checks).sort());
});
