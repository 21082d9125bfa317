// Completes package-lock.json with the platform-specific optional packages (other operating
// systems' and CPUs' native binaries of Biome, SWC, ...) that `npm install` leaves out when the
// package registry it reaches does not offer them. `npm ci` insists that every optional dependency
// has a lock entry, even one it will skip for this platform; an entry naming the package's
// platform lets it skip it without a download. Run after `npm install` changes the lock file:
//   node scripts/lockfile-platforms.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;

/** os, cpu and libc of a native binary package, read from its name (the publishers' convention). */
function platformOf(name) {
  const tail = name.split('/').pop();
  const os = ['android', 'darwin', 'freebsd', 'linux', 'win32', 'openbsd', 'sunos', 'aix'].find((o) =>
    tail.includes(o),
  );
  const cpu = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64'].find((c) =>
    new RegExp(`(^|-)${c}(-|$)`).test(tail.replace(`${os}-`, '-')),
  );
  if (!os || !cpu) return null;
  const libc = tail.includes('musl')
    ? ['musl']
    : os === 'linux' && tail.includes('gnu')
      ? ['glibc']
      : undefined;
  return { os: [os], cpu: [cpu], ...(libc ? { libc } : {}) };
}

let added = 0;
for (const [key, pkg] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const parent = key === '' ? '' : `${key}/`;
    if (packages[`${parent}node_modules/${dep}`] || packages[`node_modules/${dep}`]) continue;
    const platform = platformOf(dep);
    if (!platform) continue; // not a platform binary: leave it to npm
    packages[`node_modules/${dep}`] = { version, optional: true, ...platform };
    added++;
  }
}
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lockfile-platforms: added ${added} platform entries`);
