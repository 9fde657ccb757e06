// `npm run build` (and `prepare`, so `npm install` and `npm pack`): the
// release addon, with `napi build`, for the machine's platform.
//
// On Linux x64 the addon is linked against glibc 2.17, not against the
// machine's own glibc: a binary linked here otherwise asks for the newest
// symbol versions of this machine's glibc (2.34 and later for dlopen, dlsym
// and pthread_key_create, which Rust's standard library calls), and would not
// load on the older distributions that Node.js 20 still runs on (glibc 2.28).
// The code is compiled as always; only the link step changes. The linker is
// the one of napi-rs's cross toolchain for x86_64 (gcc 4.8.5 with a glibc 2.17
// sysroot): the npm package @napi-rs/cross-toolchain-x64-target-x86_64,
// fetched once (its integrity pinned below) and unpacked into
// $XDG_CACHE_HOME/shmkit (scripts/cache.mjs). (napi build --use-napi-cross
// would fetch it too, but the version of it that @napi-rs/cli 3 asks for for
// this target, 1.0.5, was never published.) After the build, the glibc symbol
// versions the addon needs are checked: a newer one fails the build.
//
// Elsewhere, or with SHMKIT_HOST_LINKER=1 (or a linker of your own in
// CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER), the host's linker links it.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedPackage, run } from './cache.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const TOOLCHAIN = '@napi-rs/cross-toolchain-x64-target-x86_64@1.0.0';
const TOOLCHAIN_INTEGRITY = 'sha512-lecoghCfoTAX9MLFcIx9/nL9M8xdkZ9n8Pki8qjKUNzjiq1zbECdEbzIZAMMHRtrXxifK9dAyYuh8gSxNbr2og==';
const GLIBC_FLOOR = [2, 17];
const LINKER_VAR = 'CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER';

const glibcLinux = process.platform === 'linux' && process.arch === 'x64' && Boolean(process.report?.getReport?.().header?.glibcVersionRuntime);
const portable = glibcLinux && process.env.SHMKIT_HOST_LINKER !== '1' && !process.env[LINKER_VAR];

/** The cross toolchain's gcc (the linker cargo calls), fetched and unpacked if need be. */
function portableLinker() {
  const gcc = (d) => path.join(d, 'toolchain', 'bin', 'x86_64-unknown-linux-gnu-gcc');
  const dir = cachedPackage(TOOLCHAIN, 'cross-toolchain-x64-target-x86_64-1.0.0', {
    integrity: TOOLCHAIN_INTEGRITY,
    isWhole: (d) => existsSync(gcc(d)),
    // The package holds the toolchain as one .tar.xz.
    finish: (d) => {
      const xz = path.join(d, 'package', 'x86_64-unknown-linux-gnu.tar.xz');
      mkdirSync(path.join(d, 'toolchain'));
      run(`tar -xJf ${xz}`, 'tar', ['-xJf', xz, '-C', path.join(d, 'toolchain')], { timeout: 10 * 60_000 });
    },
  });
  return gcc(dir);
}

/** The glibc symbol versions `file` asks for, highest first (`[major, minor]` pairs). */
function glibcVersions(file) {
  const text = readFileSync(file).toString('latin1');
  const seen = new Map();
  for (const m of text.matchAll(/GLIBC_(\d+)\.(\d+)/g)) seen.set(m[0], [Number(m[1]), Number(m[2])]);
  return [...seen.values()].sort((a, b) => b[0] - a[0] || b[1] - a[1]);
}

const env = { ...process.env };
if (portable) {
  try {
    env[LINKER_VAR] = portableLinker();
  } catch (err) {
    console.error(`shmkit build: cannot get the glibc ${GLIBC_FLOOR.join('.')} linker (${err.message}).\nRun again, or build with the host's linker: SHMKIT_HOST_LINKER=1 npm run build (that addon then needs this machine's glibc or newer).`);
    process.exit(1);
  }
  console.error(`shmkit build: linking against glibc ${GLIBC_FLOOR.join('.')} with ${env[LINKER_VAR]}`);
}

const napi = path.join(root, 'node_modules', '@napi-rs', 'cli', 'dist', 'cli.js');
const args = [napi, 'build', '--platform', '--release', '--js', 'binding.js', '--dts', 'binding.d.ts', ...process.argv.slice(2)];
const built = spawnSync(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
if (built.error || built.status !== 0) process.exit(built.status || 1);

if (portable) {
  const addon = path.join(root, 'shmkit.linux-x64-gnu.node');
  const [newest] = glibcVersions(addon);
  if (newest === undefined || newest[0] > GLIBC_FLOOR[0] || (newest[0] === GLIBC_FLOOR[0] && newest[1] > GLIBC_FLOOR[1])) {
    console.error(`shmkit build: ${addon} asks for glibc ${newest ? newest.join('.') : '(none found)'}, above the ${GLIBC_FLOOR.join('.')} it was linked for`);
    process.exit(1);
  }
  console.error(`shmkit build: the addon needs glibc ${newest.join('.')} or newer`);
}
