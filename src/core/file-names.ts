// The names of the files pith-tex writes beside a paper. No imports: the quick check, stamp,
// inspect, arxiv and the latexmk hook block all take them from here.

/** The verified record a paper is stamped with, kept beside its root file. */
export const LOCK_FILE = 'pith.lock.json';
/** The generated package, beside the root file (arXiv has no copy of it). */
export const STY_FILE = 'pith.sty';
