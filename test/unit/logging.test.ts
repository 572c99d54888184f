import { spawnSync } from 'node:child_process';
import { expect } from 'chai';
import { loadConfig } from '../../src/config/index.js';
import { paths } from '../../src/config/index.js';

/** Runs a few lines with the app's logger in a fresh process (as `npm start` would) and returns its stdout. */
function logIn(format: 'json' | 'pretty', exitAfter: boolean): { stdout: string; status: number | null } {
  const script = [
    "import { createLogger } from './src/lib/logger.ts';",
    `const logger = createLogger('info', undefined, '${format}');`,
    "logger.info({ port: 3000, body: { password: 'hemmelig' } }, 'Fellesskap is listening');",
    exitAfter ? "logger.fatal('cannot listen on 127.0.0.1:3000'); process.exit(1);" : '',
  ].join('\n');
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: paths.root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { stdout: result.stdout, status: result.status };
}

describe('logging: format', function () {
  this.timeout(60_000);

  it('config: pretty only for development; production and tests JSON; LOG_FORMAT overrides either way', () => {
    expect(loadConfig({}).logFormat).to.equal('pretty');
    expect(loadConfig({ NODE_ENV: 'test' }).logFormat).to.equal('json');
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), MONGODB_URI: 'mongodb://db/x' }).logFormat).to.equal('json');
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).to.equal('json');
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(32), MONGODB_URI: 'mongodb://db/x', LOG_FORMAT: 'pretty' }).logFormat).to.equal('pretty');
    expect(() => loadConfig({ LOG_FORMAT: 'text' })).to.throw('Invalid configuration: LOG_FORMAT must be json or pretty (got "text")');
  });

  it('json: one JSON object per line, secrets redacted', () => {
    const { stdout } = logIn('json', false);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.deep.include({ msg: 'Fellesskap is listening', port: 3000, body: { password: '[redacted]' }, service: 'fellesskap' });
  });

  it('pretty: readable lines with level and message, not JSON, secrets still redacted', () => {
    const { stdout } = logIn('pretty', false);
    expect(stdout).to.match(/INFO.*Fellesskap is listening/);
    expect(stdout).to.contain('port: 3000');
    expect(stdout).not.to.contain('hemmelig');
    expect(() => JSON.parse(stdout.trim().split('\n')[0]!)).to.throw();
  });

  it('pretty: the last line before process.exit (a fatal start-up error) still reaches the terminal', () => {
    const { stdout, status } = logIn('pretty', true);
    expect(status).to.equal(1);
    expect(stdout).to.match(/FATAL.*cannot listen on 127\.0\.0\.1:3000/);
  });
});
