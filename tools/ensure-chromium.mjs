// Makes sure Debian's Chromium is installed for the browser tests (never downloads a browser build).
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (existsSync(path)) process.exit(0);

const sudo = process.getuid && process.getuid() === 0 ? '' : 'sudo ';
process.stdout.write(`Chromium not found at ${path}; installing Debian's chromium package...\n`);
try {
  execSync(`${sudo}apt-get update -qq && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium`, { stdio: 'inherit' });
} catch {
  process.stderr.write('Could not install chromium with apt-get. Install it (apt-get install chromium) or set CHROMIUM_PATH.\n');
  process.exit(1);
}
