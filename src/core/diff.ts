// A unified line diff of two versions of a file, as `diff -u` writes it (for `stamp --dry-run`):
// common prefix and suffix trimmed, Myers' shortest edit script on the middle.
import { splitLines } from './tex-edit.js';

type Op = { kind: ' ' | '-' | '+'; line: string };

function lcsOps(a: string[], b: string[]): Op[] {
  // Myers O(ND): small for a stamp, which changes few lines.
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const v = new Map<number, number>([[1, 0]]);
  const trace: Map<number, number>[] = [];
  outer: for (let d = 0; d <= max; d++) {
    trace.push(new Map(v));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && (v.get(k - 1) ?? -1) < (v.get(k + 1) ?? -1)) ? (v.get(k + 1) ?? 0) : (v.get(k - 1) ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v.set(k, x);
      if (x >= n && y >= m) break outer;
    }
  }
  const ops: Op[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0 && (x > 0 || y > 0); d--) {
    const vd = trace[d] as Map<number, number>;
    const k = x - y;
    const prevK = k === -d || (k !== d && (vd.get(k - 1) ?? -1) < (vd.get(k + 1) ?? -1)) ? k + 1 : k - 1;
    const prevX = vd.get(prevK) ?? 0;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push({ kind: ' ', line: a[x - 1] as string });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) ops.push({ kind: '+', line: b[y - 1] as string });
      else ops.push({ kind: '-', line: a[x - 1] as string });
    }
    x = prevX;
    y = prevY;
  }
  return ops.reverse();
}

/** `diff -u` style text between two versions of a file; '' when equal. */
export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, context = 3): string {
  if (oldText === newText) return '';
  const a = splitLines(oldText);
  const b = splitLines(newText);
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const ops: Op[] = [
    ...a.slice(0, pre).map((line) => ({ kind: ' ' as const, line })),
    ...lcsOps(a.slice(pre, a.length - suf), b.slice(pre, b.length - suf)),
    ...a.slice(a.length - suf).map((line) => ({ kind: ' ' as const, line })),
  ];
  const show = (line: string): string => {
    const bare = line.replace(/\r?\n$|\r$/, '');
    return bare === line ? `${bare}\n\\ No newline at end of file\n` : `${bare}\n`;
  };
  let out = `--- ${oldName}\n+++ ${newName}\n`;
  // Group changes into hunks with `context` lines around.
  const changed = ops.map((o, i) => (o.kind !== ' ' ? i : -1)).filter((i) => i >= 0);
  let i = 0;
  while (i < changed.length) {
    let from = Math.max(0, (changed[i] as number) - context);
    let j = i;
    while (j + 1 < changed.length && (changed[j + 1] as number) - (changed[j] as number) <= 2 * context) j++;
    const to = Math.min(ops.length, (changed[j] as number) + context + 1);
    let oldStart = 1;
    let newStart = 1;
    for (let k = 0; k < from; k++) {
      if (ops[k]?.kind !== '+') oldStart++;
      if (ops[k]?.kind !== '-') newStart++;
    }
    const hunk = ops.slice(from, to);
    const oldLen = hunk.filter((o) => o.kind !== '+').length;
    const newLen = hunk.filter((o) => o.kind !== '-').length;
    out += `@@ -${oldLen === 0 ? oldStart - 1 : oldStart},${oldLen} +${newLen === 0 ? newStart - 1 : newStart},${newLen} @@\n`;
    for (const o of hunk) out += o.kind + show(o.line);
    from = to;
    i = j + 1;
  }
  return out;
}
