// What a LaTeX source holds that pith-tex cares about: where its preamble ends, its
// \documentclass, the packages it loads (pith among them), its \pithnumber commands and the files
// its preamble \inputs. Found in code only (tex-mask.ts): a commented-out or \iffalse'd
// \pithnumber is not one. Only the preamble is masked whole; the body is searched for
// \pithnumber where one is written, so a 50 MB paper costs one pass and no copy.
import { inputArguments } from './tex-inputs.js';
import { codeMatches, maskedSlice, nonCodeRanges, preambleEndOf } from './tex-mask.js';

export interface PackageUse {
  /** The command from `\` to its closing brace. */
  start: number;
  end: number;
  packages: string[];
}

export interface NumberSite {
  /** The command from `\pithnumber` to the closing brace. */
  start: number;
  end: number;
  /** The braces' content. */
  valueStart: number;
  valueEnd: number;
  value: string;
}

export interface TexAnalysis {
  /** The preamble (text[0, preambleEnd)) with everything that is not code blanked. */
  maskedPreamble: string;
  preambleEnd: number;
  documentclassEnd: number | null;
  packages: PackageUse[];
  /** Uses that load pith (`\usepackage[opts]{pith}`, `\usepackage{a,pith,b}`, `\RequirePackage`). */
  pithPackage: PackageUse | null;
  /** Every code `\pithnumber{...}` (preamble or body). */
  numbers: NumberSite[];
  /** Files `\input` in the preamble (as written, without resolution). */
  inputs: string[];
}

const PACKAGE_RE = /\\(?:usepackage|RequirePackage)(?![a-zA-Z])\s*(?:\[[^\]]*\]\s*)?\{([^{}]*)\}/g;
const NUMBER_RE = /\\pithnumber(?![a-zA-Z])\s*\{([^{}]*)\}/;

export function analyzeTex(text: string): TexAnalysis {
  const ranges = nonCodeRanges(text);
  const end = preambleEndOf(text, ranges);
  const preamble = maskedSlice(text, ranges, 0, end);
  const dc = /\\documentclass(?![a-zA-Z])\s*(?:\[[^\]]*\]\s*)?\{[^{}]*\}/.exec(preamble);
  const packages: PackageUse[] = [];
  for (const m of preamble.matchAll(PACKAGE_RE)) {
    const list = (m[1] as string)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    packages.push({ start: m.index, end: m.index + m[0].length, packages: list });
  }
  // \pithnumber may also be given in the body (pith.sty reads it from the .aux).
  const numbers: NumberSite[] = [];
  for (const m of codeMatches(text, ranges, 'pithnumber', NUMBER_RE)) {
    const valueEnd = m.index + m[0].length - 1;
    const valueStart = valueEnd - (m[1] as string).length;
    numbers.push({ start: m.index, end: m.index + m[0].length, valueStart, valueEnd, value: text.slice(valueStart, valueEnd) });
  }
  const inputs = inputArguments(preamble).map((a) => a.name);
  return {
    maskedPreamble: preamble,
    preambleEnd: end,
    documentclassEnd: dc ? dc.index + dc[0].length : null,
    packages,
    pithPackage: packages.find((p) => p.packages.includes('pith')) ?? null,
    numbers,
    inputs,
  };
}

/** The number written in the paper's first `\pithnumber{...}`, if any. */
export function existingNumber(text: string): string | null {
  return analyzeTex(text).numbers[0]?.value.trim() ?? null;
}
