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

/** Header text may hold no line break (it sits in `%%` comment lines). */
const oneLine = (s: string): string => s.replace(/[\r\n]+/g, ' ');

/** A TeX group holding the escaped value: `{...}`, rendered by the template's triple-stash. */
const group = (s: string): string => `{${texEscape(oneLine(s))}}`;

export function renderPithSty(args: { templateText: string; packageSource: string; values: StyValues }): string {
  const { templateText, packageSource, values } = args;
  const template = compileStyTemplate(templateText);
  const text = template({
    toolVersion: oneLine(values.toolVersion),
    number: oneLine(values.number),
    checksum: PLACEHOLDER,
    toolVersionArg: group(values.toolVersion),
    bodyArg: group(values.body),
    yearArg: group(values.year),
    numberArg: group(values.number),
    recordUrlArg: group(values.recordUrl),
    canonicalSha256Arg: group(values.canonicalSha256),
    packageSource: packageSource.endsWith('\n') ? packageSource : `${packageSource}\n`,
  }).replace(/\n+$/, '\n'); // one final newline, whether or not the template file ends with one
  if (!text.includes(CHECKSUM_PREFIX + PLACEHOLDER)) {
    throw new Error(`pith.sty template has no "${CHECKSUM_PREFIX}{{{checksum}}}" line`);
  }
  const sum = styChecksum(text);
  return text.replace(CHECKSUM_PREFIX + PLACEHOLDER, CHECKSUM_PREFIX + sum);
}

/** Date and version of `\ProvidesPackage{pith}[YYYY/MM/DD vX.Y.Z ...]`, if present. */
export function packageVersion(packageSource: string): { date: string; version: string } | undefined {
  const m = /\\ProvidesPackage\{pith\}\s*\[\s*(\d{4}\/\d{2}\/\d{2})\s+v?([0-9][0-9A-Za-z.+-]*)/.exec(packageSource);
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  return { date: m[1], version: m[2] };
}
