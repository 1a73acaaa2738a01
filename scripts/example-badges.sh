#!/bin/bash
# Page 1 of each class fixture, stamped with the current tex/pith.sty, as examples/badges/NAME.png
# (60 dpi). The corpus's own pages (examples/badges/corpus-*.png) are made by
# `node dist/test/corpus/badges.js`. A NAME ending in -hyperref loads hyperref where the fixture
# says %HYPERREF-AFTER. Needs pdflatex and pdftoppm (poppler-utils).
#   bash scripts/example-badges.sh [NAME...]      (default: every PNG listed below)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
declare -A fixture=(
  [aastex631]=aastex631.tex [acm-acmsmall]=acm-acmsmall.tex [acm-sigconf]=acm-sigconf.tex
  [amsart]=amsart.tex [apa7-jou]=placement/apa7-jou.tex [article]=article.tex [beamer]=beamer.tex
  [elsarticle]=elsarticle.tex [ieee-compsoc-journal]=placement/ieee-compsoc-journal.tex
  [ieee-conference]=ieee-conference.tex [ieee-journal-hyperref]=ieee-journal.tex
  [ieee-transmag]=placement/ieee-transmag.tex [kluwer]=placement/kluwer.tex
  [llncs-hyperref]=llncs.tex [memoir-hyperref]=memoir.tex [mnras]=mnras.tex
  [quantumarticle]=placement/quantumarticle.tex [report-titlepage-hyperref]=report-titlepage.tex
  [revtex-aip]=placement/revtex-aip.tex [revtex4-2]=revtex4-2.tex [scrartcl-hyperref]=scrartcl.tex
)
names=("$@")
[ ${#names[@]} -eq 0 ] && names=("${!fixture[@]}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for name in "${names[@]}"; do
  src="$root/test/fixtures/tex/${fixture[$name]}"
  dir="$work/$name"
  mkdir -p "$dir"
  cp "$root/tex/pith.sty" "$dir/"
  if [[ $name == *-hyperref ]]; then sed 's/^%HYPERREF-AFTER/\\usepackage{hyperref}/' "$src" >"$dir/doc.tex"; else cp "$src" "$dir/doc.tex"; fi
  (cd "$dir" && for _ in 1 2; do pdflatex -interaction=nonstopmode -halt-on-error doc.tex >/dev/null; done)
  pdftoppm -png -r 60 -f 1 -l 1 -singlefile "$dir/doc.pdf" "$dir/page"
  cp "$dir/page.png" "$root/examples/badges/$name.png"
  echo "examples/badges/$name.png"
done
