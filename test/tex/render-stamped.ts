// For tex/'s l3build tests (tex/config-stamped.lua): writes the pith.sty that `pith-tex stamp`
// writes for the test record, i.e. templates/pith.sty.hbs rendered by renderPithSty above the
// pith.sty of the tex folder under test. Not a test file: a command the l3build hook runs,
//   node dist/test/tex/render-stamped.js OUT.sty [TEX_DIR]
// (TEX_DIR: the folder holding the pith.sty to wrap; the project's tex/ by default).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderPithSty } from '../../src/core/sty.js';
import { toolVersion } from '../../src/io/package-files.js';
import { repoRoot } from '../helpers.js';
import { BODY, NUMBER, SHA } from '../support/stamped-paper.js';

export function renderStampedCopy(texDir: string): string {
  return renderPithSty({
    templateText: readFileSync(path.join(repoRoot, 'templates', 'pith.sty.hbs'), 'utf8'),
    packageSource: readFileSync(path.join(texDir, 'pith.sty'), 'utf8'),
    values: {
      body: BODY,
      year: NUMBER.split(':')[1] ?? '',
      number: NUMBER,
      recordUrl: `https://pith.science/pith/${BODY}`,
      canonicalSha256: SHA,
      toolVersion: toolVersion(),
    },
  });
}

const [out, texDir = path.join(repoRoot, 'tex')] = process.argv.slice(2);
if (out === undefined) {
  console.error('usage: node dist/test/tex/render-stamped.js OUT.sty [TEX_DIR]');
  process.exit(2);
}
writeFileSync(out, renderStampedCopy(texDir));
