// Anti-rollback: a resolver or mirror that replays an older signed bundle than one already
// verified here. Pure: the cache's memory (src/io/cache.ts `seen`) in, a refusal reason out.

export interface Seen {
  /** Highest version verified for the record's arXiv id, with its body. */
  version: { version: number; body: string } | null;
  /** Newest built_at verified for this record (body). */
  builtAt: string | null;
}

export interface Served {
  arxivId: string | null;
  version: number;
  body: string;
  builtAt: string;
  /** The query asked for the newest version (a bare arXiv id), not a fixed one. */
  wantsNewest: boolean;
}

/** Why `served` goes back from what was seen, or null when it does not. */
export function rollbackOf(seen: Seen, served: Served): string | null {
  if (served.wantsNewest && served.arxivId !== null && seen.version && seen.version.version > served.version) {
    return `arXiv:${served.arxivId} was served at v${served.version}, but v${seen.version.version} (pith ${seen.version.body}) was verified here before`;
  }
  const heldAt = seen.builtAt === null ? NaN : Date.parse(seen.builtAt);
  const newAt = Date.parse(served.builtAt);
  if (!Number.isNaN(heldAt) && (Number.isNaN(newAt) || newAt < heldAt)) {
    return `the bundle for ${served.body} was built at ${served.builtAt}, before the one verified here before (${seen.builtAt})`;
  }
  return null;
}
