// The generated pith.sty: tex/pith.sty (the package) below a header of stamped values, rendered
// from templates/pith.sty.hbs. Pure functions, no I/O.
//
// The rendered file carries a `%% pith-tex-checksum` line; sty-read.ts reads a copy back.
import { CHECKSUM_PREFIX, styChecksum } from './sty-read.js';
import { compileStyTemplate } from './sty-template.js';

export { readStampedSty, styChecksum, type StampedStyInfo } from './sty-read.js';

export interface StyValues {
  body: string;
  year: string;
  number: string;
  recordUrl: string;
  canonicalSha256: string;
  toolVersion: string;
}

const PLACEHOLDER = '0'.repeat(64);

/** Escape text for TeX: the specials % # & _ ~ ^ \ { } $ become control sequences. */
export function texEscape(s: string): string {
  return s.replace(/[\\{}%#&_~^$]/g, (c) => {
    switch (c) {
      case '\\':
        return '\\textbackslash{}';
      case '~':
        return '\\textasciitilde{}';
      case '^':
        return '\\textasciicircum{}';
      default:
        return `\\${c}`;
    }
  });
}

/**
 * The escaping rule, stated once: every value reaches templates/pith.sty.hbs through `escapeFor`,
 * chosen by where the template puts it, and the template prints it as is (triple-stash; the
 * template is compiled with `noEscape`, so Handlebars' HTML escaping never applies).
 * - `comment`: in a `%%` header line, where only a line break could end the comment early: line
 *   breaks become spaces.
 * - `argument`: a macro's argument, `\def\pith@stamped@x{...}`: one line, TeX's specials as
 *   control sequences (texEscape), inside its braces. sty-read.ts reads it back (texUnescape).
 * The package text (tex/pith.sty) is TeX code and goes in unchanged.
 */
const escapeFor = {
  comment: (s: string): string => s.replace(/[\r\n]+/g, ' '),
  argument: (s: string): string => `{${texEscape(escapeFor.comment(s))}}`,
};

export function renderPithSty(args: { templateText: string; packageSource: string; values: StyValues }): string {
  const { templateText, packageSource, values } = args;
  const template = compileStyTemplate(templateText);
  const text = template({
    toolVersion: escapeFor.comment(values.toolVersion),
    number: escapeFor.comment(values.number),
    checksum: PLACEHOLDER,
    toolVersionArg: escapeFor.argument(values.toolVersion),
    bodyArg: escapeFor.argument(values.body),
    yearArg: escapeFor.argument(values.year),
    numberArg: escapeFor.argument(values.number),
    recordUrlArg: escapeFor.argument(values.recordUrl),
    canonicalSha256Arg: escapeFor.argument(values.canonicalSha256),
    packageSource: packageSource.endsWith('\n') ? packageSource : `${packageSource}\n`,
  }).replace(/\n+$/, '\n'); // one final newline, whether or not the template file ends with one
  if (!text.includes(CHECKSUM_PREFIX + PLACEHOLDER)) {
    throw new Error(`pith.sty template has no "${CHECKSUM_PREFIX}{{{checksum}}}" line`);
  }
  const sum = styChecksum(text);
  return text.replace(CHECKSUM_PREFIX + PLACEHOLDER, CHECKSUM_PREFIX + sum);
}

/**
 * Date and version of `\ProvidesExplPackage{pith}{YYYY/MM/DD}{X.Y.Z}{...}` (or of the older
 * `\ProvidesPackage{pith}[YYYY/MM/DD vX.Y.Z ...]`), if present.
 */
export function packageVersion(packageSource: string): { date: string; version: string } | undefined {
  const m =
    /\\ProvidesExplPackage\s*\{pith\}\s*\{(\d{4}\/\d{2}\/\d{2})\}\s*\{v?([0-9][0-9A-Za-z.+-]*)\}/.exec(packageSource) ??
    /\\ProvidesPackage\{pith\}\s*\[\s*(\d{4}\/\d{2}\/\d{2})\s+v?([0-9][0-9A-Za-z.+-]*)/.exec(packageSource);
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  return { date: m[1], version: m[2] };
}
