// "Did you mean …?" for a misspelt word (a command's action, an option's value). Pure.

/** Optimal string alignment distance (Levenshtein plus swapping two neighbours). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => (d[i] as number[])[j] as number;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** The closest of `choices` to `word` when it is close enough to be a slip (a third of its length), else null. */
export function closest(word: string, choices: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of choices) {
    const distance = c.startsWith(word) && word.length >= 3 ? 0.5 : editDistance(word.toLowerCase(), c.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [c, distance];
  }
  return best !== null && bestDistance <= Math.max(1, Math.floor(best.length / 3)) ? best : null;
}

/** `expected one of a, b, c` plus ` (did you mean b?)` when `word` is close to one. */
export function expectedOneOf(word: string, choices: readonly string[]): string {
  const near = closest(word, choices);
  return `expected one of ${choices.join(', ')}${near ? ` (did you mean ${near}?)` : ''}`;
}
