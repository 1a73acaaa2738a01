-- l3build setup for pith.sty: `l3build check` runs the regression tests in
-- testfiles/ (and, through config-stamped.lua, the stamped-copy tests in
-- testfiles/stamped/); `l3build ctan` checks, typesets pith-doc.tex and
-- writes pith-ctan.zip for the CTAN upload.
module = "pith"

-- pith.sty is written as is: no .dtx/.ins to unpack.
sourcefiles  = {"pith.sty"}
installfiles = {"pith.sty"}
unpackfiles  = {}

-- The manual and the text files that go to CTAN beside pith.sty.
typesetfiles  = {"pith-doc.tex"}
typesetexe    = "pdflatex"
docfiles      = {}
textfiles     = {"README.md", "LICENSE"}
ctanreadme    = "README.md"
packtdszip    = false

-- The stamped-copy tests run as a second configuration (config-stamped.lua):
-- there the package under test is a copy rendered by pith-tex's own renderer.
checkconfigs = {"build", "config-stamped"}
checkengines = {"pdftex", "xetex", "luatex"}
checkruns    = 1
