// Renders the pith.sty that `pith-tex stamp` would write for the test record
// (stamped values above this folder's pith.sty, templates/pith.sty.hbs through
// pith-tex's renderPithSty), to the path given: used by config-stamped.lua.
// Needs node and the compiled project (`npm run build'); the project root is
// the folder above tex/ unless PITH_TEX_ROOT names it (a copy of tex/ elsewhere).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const texDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const root = process.env.PITH_TEX_ROOT ?? path.resolve(texDir, '..');
const out = process.argv[2];
if (!out) {
  console.error('usage: node render-stamped.mjs OUT.sty');
  process.exit(2);
}
const styModule = path.join(root, 'dist', 'src', 'core', 'sty.js');
let renderPithSty;
try {
  ({ renderPithSty } = await import(pathToFileURL(styModule).href));
} catch (err) {
  console.error(`render-stamped: cannot load ${styModule} (run npm run build in ${root}): ${err.message}`);
  process.exit(2);
}
// The test record (test/fixtures' vector): the .lvt files name the same number.
const body = 'NMB7QKC2NJYNHLPG6XMF2N35IK';
const year = '2021';
const text = renderPithSty({
  templateText: readFileSync(path.join(root, 'templates', 'pith.sty.hbs'), 'utf8'),
  packageSource: readFileSync(path.join(texDir, 'pith.sty'), 'utf8'),
  values: {
    body,
    year,
    number: `pith:${year}:${body}`,
    recordUrl: `https://pith.science/pith/${body}`,
    canonicalSha256: '6b03f8285a6a70d3ade6f5d85d377d42a69898557b3236c98206a6751a356b42',
    toolVersion: JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version,
  },
});
writeFileSync(out, text);
