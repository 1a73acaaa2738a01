-- Second l3build configuration: the stamped-copy check.  `pith-tex stamp'
-- writes beside a paper a pith.sty made of stamped values above this
-- package's text (templates/pith.sty.hbs, rendered by src/core/sty.ts).
-- Such a copy is rendered here, at test time, by pith-tex's own renderer
-- (testfiles/render-stamped.mjs needs node and `npm run build'), into the
-- test folder, where it replaces the plain pith.sty.
testfiledir = "./testfiles/stamped"
-- The probe, shared with testfiles/.  (Spelt without "./": l3build resets a
-- testsuppdir equal to "./testfiles/support" to testfiledir .. "/support".)
testsuppdir = "testfiles/support"

function checkinit_hook()
  local cmd = "node testfiles/render-stamped.mjs " .. testdir .. "/pith.sty"
  local errorlevel = os.execute(cmd)
  if errorlevel ~= true and errorlevel ~= 0 then
    print("Error: could not render the stamped pith.sty (" .. cmd .. ")")
    return 1
  end
  return 0
end
