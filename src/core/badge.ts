// The verified badge for the web (`pith-tex badge`): a small shields-style SVG, `pith | YEAR:BODY…`,
// and the Markdown and HTML that link it to the record page. Pure and deterministic: the same
// number gives the same bytes. Self-contained: no external fonts, images or scripts (the font is
// a list of system families, and every text's width is fixed with textLength, so it renders at
// the same size whatever font the reader has).
import { recordUrl, type PithNumber } from './number.js';

export const BADGE_FORMATS = ['svg', 'markdown', 'html'] as const;
export type BadgeFormat = (typeof BADGE_FORMATS)[number];

const HEIGHT = 20;
const LABEL = 'pith';
const LABEL_COLOUR = '#555';
/** Green: the badge is only ever made for a record that verified. */
const VALUE_COLOUR = '#2e7d32';
const FONT = 'Verdana,Geneva,DejaVu Sans,sans-serif';
const PADDING = 6;

/** Advance widths of Verdana at 11 px (rounded to 0.1 px) for the characters a badge can hold. */
const WIDTH: Record<string, number> = { ':': 4.5, '…': 11, ' ': 3.9 };
const widthOf = (c: string): number => WIDTH[c] ?? (/[0-9]/.test(c) ? 7 : /[A-Z]/.test(c) ? 7.6 : 6.2);
const textWidth = (text: string): number => Math.round([...text].reduce((sum, c) => sum + widthOf(c), 0));

/** What the badge's right half says: the year and the first 8 characters of the body. */
export const badgeValue = (n: PithNumber): string => `${n.year}:${n.body.slice(0, 8)}…`;

/** One text of the badge, with the shields-style shadow one pixel below it. */
function text(x: number, width: number, content: string): string {
  const attrs = `x="${x}" textLength="${width}" lengthAdjust="spacingAndGlyphs"`;
  return `<text ${attrs} y="15" fill="#010101" fill-opacity=".3" aria-hidden="true">${content}</text><text ${attrs} y="14">${content}</text>`;
}

/** The badge as an SVG document (one line, ending in a newline). */
export function badgeSvg(n: PithNumber): string {
  const value = badgeValue(n);
  const labelWidth = textWidth(LABEL) + 2 * PADDING;
  const valueWidth = textWidth(value) + 2 * PADDING;
  const width = labelWidth + valueWidth;
  // Ids carry the body, so two badges inlined in one HTML page do not share a gradient or clip.
  const id = `pith-${n.body.slice(0, 8).toLowerCase()}`;
  return (
    [
      `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}" role="img" aria-label="${LABEL}: ${value}">`,
      `<title>${n.full}: verified Pith number (${recordUrl(n.body)})</title>`,
      `<linearGradient id="${id}-s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`,
      `<clipPath id="${id}-r"><rect width="${width}" height="${HEIGHT}" rx="3" fill="#fff"/></clipPath>`,
      `<g clip-path="url(#${id}-r)"><rect width="${labelWidth}" height="${HEIGHT}" fill="${LABEL_COLOUR}"/><rect x="${labelWidth}" width="${valueWidth}" height="${HEIGHT}" fill="${VALUE_COLOUR}"/><rect width="${width}" height="${HEIGHT}" fill="url(#${id}-s)"/></g>`,
      `<g fill="#fff" text-anchor="middle" font-family="${FONT}" font-size="11">`,
      text(labelWidth / 2, textWidth(LABEL), LABEL),
      text(labelWidth + valueWidth / 2, textWidth(value), value),
      '</g></svg>',
    ].join('') + '\n'
  );
}

/** Markdown for a README: the badge image (at `image`) linking to the record page. */
export function badgeMarkdown(n: PithNumber, image: string): string {
  const url = image.replace(/[\s()<>]/g, (c) => encodeURIComponent(c));
  return `[![${n.full} (verified Pith number)](${url})](${recordUrl(n.body)})\n`;
}

/** HTML for a project page or slides: the SVG inline inside a link to the record page. */
export function badgeHtml(n: PithNumber): string {
  return `<a href="${recordUrl(n.body)}" title="${n.full}: verified Pith number">${badgeSvg(n).trimEnd()}</a>\n`;
}

export function renderBadge(n: PithNumber, format: BadgeFormat, image: string): string {
  return format === 'svg' ? badgeSvg(n) : format === 'markdown' ? badgeMarkdown(n, image) : badgeHtml(n);
}
