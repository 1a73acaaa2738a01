-- Second l3build configuration: the stamped-copy check.  `pith-tex stamp'
-- writes beside a paper a pith.sty made of stamped values above this
-- package's text (templates/pith.sty.hbs, rendered by src/core/sty.ts).
-- Such a copy, for pith:2021:NMB7QKC2NJYNHLPG6XMF2N35IK, is rendered at test
-- time by pith-tex's own renderer into the test folder, where it replaces the
-- plain pith.sty.  It needs node and the compiled project (`npm run build');
-- PITH_TEX_ROOT names the project when this folder is a copy elsewhere.
testfiledir = "./testfiles/stamped"
-- The probe, shared with testfiles/.  (Spelt without "./": l3build resets a
-- testsuppdir equal to "./testfiles/support" to testfiledir .. "/support".)
testsuppdir = "testfiles/support"

function checkinit_hook()
  local root = os.getenv("PITH_TEX_ROOT") or ".."
  local cmd = "node " .. root .. "/dist/test/tex/render-stamped.js "
    .. testdir .. "/pith.sty ."
  local ok = os.execute(cmd)
  if ok ~= true and ok ~= 0 then
    print("Error: could not render the stamped pith.sty: " .. cmd
      .. " (run npm run build in the project first)")
    return 1
  end
  return 0
end
