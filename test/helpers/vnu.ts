import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/** The Nu HTML checker's jar from the vnu-jar package, run with the machine's Java. */
export const VNU_JAR = path.join(path.dirname(createRequire(import.meta.url).resolve('vnu-jar')), 'build/dist/vnu.jar');

export interface VnuMessage {
  type: string;
  subType?: string;
  url: string;
  lastLine?: number;
  message: string;
  extract?: string;
}

/**
 * Checks many pages in one run of the checker (starting Java once per page would take minutes):
 * writes them to a temporary directory and returns the errors, each with the page's name.
 */
export async function vnuErrors(pages: ReadonlyArray<{ name: string; html: string }>): Promise<Array<VnuMessage & { page: string }>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'fellesskap-vnu-'));
  try {
    const files = pages.map((p, i) => {
      const file = path.join(dir, `${String(i).padStart(3, '0')}.html`);
      writeFileSync(file, p.html);
      return { file, name: p.name };
    });
    const output = await new Promise<string>((resolve, reject) => {
      // vnu exits 1 when it finds errors and writes its JSON report to stderr.
      execFile('java', ['-jar', VNU_JAR, '--format', 'json', '--errors-only', ...files.map((f) => f.file)], { maxBuffer: 64 * 1024 * 1024 }, (err, _stdout, stderr) => {
        if (err && !stderr.trim().startsWith('{')) reject(err);
        else resolve(stderr);
      });
    });
    const report = JSON.parse(output) as { messages: VnuMessage[] };
    const nameOf = new Map(files.map((f) => [path.basename(f.file), f.name]));
    return report.messages.filter((m) => m.type === 'error' || m.subType === 'fatal').map((m) => ({ ...m, page: nameOf.get(path.basename(decodeURIComponent(new URL(m.url).pathname))) ?? m.url }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
