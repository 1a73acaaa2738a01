// Compiling templates/pith.sty.hbs. Run from the TypeScript output (tests, bench), the template
// is compiled here with the full Handlebars. The CLI's bundles replace this module with the
// template precompiled at build time (scripts/bundle.mjs: Handlebars.precompile), run by
// handlebars/runtime, so a stamp never loads Handlebars' parser; that replacement refuses a
// template text other than the one it was built from.
import Handlebars from 'handlebars';

export function compileStyTemplate(text: string): (context: Record<string, string>) => string {
  return Handlebars.compile(text, { noEscape: true, strict: true });
}
