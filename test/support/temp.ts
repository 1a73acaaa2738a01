// Temporary folders that remove themselves: made under the OS temp folder and deleted when the
// test that asked for them ends (t.after), pass or fail, so no test needs a try/finally.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, type TestContext } from 'node:test';

/** A fresh empty folder, removed after test `t`. */
export function tempDir(t: TestContext, prefix = 'pith-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * For folders a test file makes outside any one test (shared fixtures at the top of the file):
 * a maker whose folders are all removed when the file's tests have ended.
 */
export function fileTempDirs(defaultPrefix: string): (prefix?: string) => string {
  const made: string[] = [];
  after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  return (prefix = defaultPrefix) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}
