# Runs `pith-tex check` before each LaTeX run, in every latexmk mode: when pith.lock.json,
# \pithnumber and pith.sty disagree, that run fails (latexmk exits 12; -pvc keeps watching).
# Where no pith-tex can run (Overleaf, no Node) it says so once, and pith.sty's own check
# guards the build. Docs: docs/check-hook-arxiv.md in pith-tex.
our @pith_tex_installed = (@PITH_TEX_INSTALLED@);
our (%pith_tex_verdict, $pith_tex_said, $pith_tex_swapped);
our $pith_tex_off = "not checked; pith.sty's own check guards the build.\n";
# The check by the installing pith-tex, else the one on the PATH: its exit code, -1 if none runs.
sub pith_tex_check {
  my @installed = (@pith_tex_installed && !grep { !-e } @pith_tex_installed) ? ([@pith_tex_installed]) : ();
  for my $cmd (@installed, ['pith-tex']) {
    my $rc = do { no warnings; system { $cmd->[0] } @$cmd, 'check', '--quiet', $_[0] };
    return $rc >> 8 if $rc != -1 && !($rc & 127) && ($rc >> 8) <= 2;
  }
  return -1;
}
# Before each run of a *latex rule, whatever its command (hooks' return values are ignored): on a
# mismatch, that one run's command becomes one that fails. A rule's first pass in a build checks.
sub pith_tex_before {
  our ($rule, %pass, $Pext_cmd, $Psource);
  my ($tex, $again) = ($$Psource, ($pass{$rule} // 0) > 1 && exists $pith_tex_verdict{$rule});
  my $v = $again ? $pith_tex_verdict{$rule} : ($pith_tex_verdict{$rule} = pith_tex_check($tex));
  my $said = $again ? " (checked at this build's first run)" : '; record and receipt verified';
  if ($v == 0) { print "pith-tex hook: $tex: pith.lock.json, \\pithnumber and pith.sty agree$said\n"; }
  elsif ($v == 2) { print STDERR "pith-tex hook: $tex: not checked (above); the build goes on.\n"; }
  elsif ($v == -1) { print "pith-tex hook: no pith-tex can run here (it needs Node): $pith_tex_off" unless $pith_tex_said++; }
  else { print STDERR "pith-tex hook: the check failed (above); this LaTeX run is stopped.\n";
         ($pith_tex_swapped, $$Pext_cmd) = ($$Pext_cmd, qq{"$^X" -e "exit 1"}); }
}
if (defined &add_hook) {
  add_hook('before_xlatex', \&pith_tex_before);
  add_hook('after_xlatex', sub { our $Pext_cmd; ($$Pext_cmd, $pith_tex_swapped) = ($pith_tex_swapped) if defined $pith_tex_swapped; });
  # TeX never reads the lock: latexmk (-pvc) watches it as a source of the run.
  add_hook('after_xlatex_analysis', sub { our $rule; (my $lock = "$main::root_filename") =~ s{[^/\\]*\z}{@PITH_TEX_LOCK_FILE@};
    rdb_ensure_file($rule, $lock) if -f $lock; });
} else { print "pith-tex hook: this latexmk has no add_hook (too old): $pith_tex_off"; }
