// `npm install` of the published package: use the prebuilt addon when it is
// there for this platform, else build it from the Rust sources the package
// carries (needs a Rust toolchain: https://rustup.rs).
//
// In a checkout of the repository (the napi CLI, a dev dependency, is
// installed) this does nothing: `prepare` builds the addon with `napi build`.

import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

if (existsSync(path.join(root, 'node_modules', '@napi-rs', 'cli'))) process.exit(0);

try {
  require(path.join(root, 'binding.js'));
  process.exit(0); // a prebuilt addon for this platform loads
} catch (err) {
  console.error(`shmkit: no prebuilt addon loads here (${err.message.split('\n')[0]}); building it from source with cargo`);
}

/** The suffix binding.js looks for: `shmkit.<suffix>.node`. */
function platformSuffix() {
  const { platform, arch } = process;
  if (platform === 'darwin') return `darwin-${arch}`;
  if (platform === 'win32') return `win32-${arch}-msvc`;
  if (platform === 'linux') {
    const glibc = process.report?.getReport?.().header?.glibcVersionRuntime;
    const libc = glibc ? 'gnu' : 'musl';
    if (arch === 'arm') return `linux-arm-${libc}eabihf`;
    return `linux-${arch}-${libc}`;
  }
  return `${platform}-${arch}`;
}

// Where cargo writes, named on its command line: a CARGO_TARGET_DIR or a
// build.target-dir in the user's cargo config would send it elsewhere.
const targetDir = path.join(root, 'target');

/** The file cargo writes for the `shmkit` cdylib. */
function artifact() {
  const dir = path.join(targetDir, 'release');
  if (process.platform === 'win32') return path.join(dir, 'shmkit.dll');
  return path.join(dir, process.platform === 'darwin' ? 'libshmkit.dylib' : 'libshmkit.so');
}

// musl's default static C runtime rules out a cdylib: link it dynamically,
// as the napi CLI does.
const env = { ...process.env };
if (platformSuffix().includes('musl')) env.RUSTFLAGS = `${env.RUSTFLAGS ?? ''} -C target-feature=-crt-static`.trim();
delete env.CARGO_BUILD_TARGET; // the host's own target: target/release

try {
  execFileSync('cargo', ['build', '--release', '--lib', '--locked', '--target-dir', targetDir], { cwd: root, stdio: 'inherit', env });
} catch (err) {
  console.error(
    err.code === 'ENOENT'
      ? 'shmkit: building the addon needs a Rust toolchain (cargo), which is not installed: see https://rustup.rs, then install shmkit again'
      : `shmkit: cargo build failed (${err.message})`,
  );
  process.exit(1);
}
const target = path.join(root, `shmkit.${platformSuffix()}.node`);
try {
  copyFileSync(artifact(), target);
} catch (err) {
  console.error(`shmkit: cargo built, but ${artifact()} could not be copied to ${target}: ${err.message}`);
  process.exit(1);
}
try {
  require(path.join(root, 'binding.js'));
} catch (err) {
  console.error(`shmkit: built ${target}, but it does not load: ${err.message}`);
  process.exit(1);
}
console.error(`shmkit: built ${path.basename(target)}`);
