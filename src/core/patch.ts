// Unified diffs for `pith-tex stamp --dry-run`, made by jsdiff (the `diff` package): a patch that
// `patch -p1` (or `git apply`) applies in the paper's folder. Pure.
import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

/**
 * `diff -u` text between two versions of a file ('' when equal). `oldName` is `/dev/null` for a
 * new file. Line endings are kept as they are (a CRLF file's lines end in CR in the patch, as
 * `diff -u` writes them), and a missing final newline is marked `\ No newline at end of file`.
 */
export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, context = 3): string {
  if (oldText === newText) return '';
  return createTwoFilesPatch(oldName, newName, oldText, newText, undefined, undefined, { context, headerOptions: FILE_HEADERS_ONLY });
}
