# Runs `pith-tex check` before every LaTeX run of this folder's papers. On a mismatch between
# pith.lock.json, the paper's \pithnumber and pith.sty, that run fails (latexmk exits 12) with
# the check's message, and `latexmk -pvc` keeps watching until it is mended.
# How: the engine commands ($pdflatex, $latex, $xelatex, $lualatex) are wrapped in a Perl sub
# that checks, then runs the engine; an engine named on latexmk's command line is checked by a
# before_xlatex hook instead. The check runs once per change of those three files.
# Without pith-tex/Node on the PATH (e.g. Overleaf) a core-Perl check runs instead: record
# hash, number, \pithnumber and pith.sty, but NOT the receipt's Ed25519 signature (it says so).
# Set PITH_TEX to the pith-tex command to use, or PITH_TEX=perl to force the Perl check.
# Docs: docs/check-hook-arxiv.md in pith-tex.
{
  package PithTexHook;
  use strict;
  use warnings;
  use File::Basename ();
  use File::Spec ();
  our %memo;
  our $lock_name = 'pith.lock.json';

  sub slurp {
    my ($file) = @_;
    open(my $fh, '<:raw', $file) or return undef;
    local $/;
    my $text = <$fh>;
    close $fh;
    return $text;
  }

  sub which {
    my ($name) = @_;
    for my $dir (File::Spec->path()) {
      my $f = File::Spec->catfile($dir, $name);
      return $f if -f $f && -x _;
    }
    return undef;
  }

  # The tex file of an engine command line (latexmk passes %S, the source file).
  sub tex_of {
    my @args = @_;
    for my $a (reverse @args) { return $a if $a =~ /\.tex$/i; }
    for my $a (reverse @args[1 .. $#args]) {
      next if $a =~ /^-/;
      return -e "$a.tex" ? "$a.tex" : $a;
    }
    return undef;
  }

  # pith.sty's reading of a number: spaces dropped, upper case, BODY or pith:[YEAR:]BODY.
  sub parse_number {
    my ($raw) = @_;
    (my $t = $raw) =~ s/\s+//g;
    $t = uc $t;
    return ($2, $1) if $t =~ /^(?:PITH:(?:(\d{4}):)?)?([A-Z2-7]{26})$/;
    return ();
  }

  sub show_number { my ($body, $year) = @_; return defined $year ? "pith:$year:$body" : "pith:$body"; }

  sub body_of_digest {
    my ($digest) = @_;
    my @alphabet = ('A' .. 'Z', '2' .. '7');
    my $bits = unpack('B*', substr($digest, 0, 17));
    return substr(join('', map { $alphabet[oct("0b$_")] } ($bits =~ /(.{5})/g)), 0, 26);
  }

  # TeX code without its % comments (a \\% stays).
  sub code_of {
    my ($src) = @_;
    return join "\n", map { (my $l = $_) =~ s/(?<!\\)((?:\\\\)*)%.*$/$1/; $l } split /\n/, $src;
  }

  # The root file and the preamble files it \input's, two levels deep (where pith-tex stamp
  # may keep \pithnumber): a list of [path, text, code without % comments], each read once.
  sub source_of { my ($path) = @_; my $text = slurp($path) // ''; return [$path, $text, code_of($text)]; }
  sub paper_sources {
    my ($tex, $dir) = @_;
    my @out = (source_of($tex));
    my %seen = ($tex => 1);
    my @frontier = ($out[0]);
    for my $depth (1 .. 2) {
      my @next;
      for my $src (@frontier) {
        (my $preamble = $src->[2]) =~ s/\\begin\s*\{document\}.*\z//s;
        for my $name ($preamble =~ /\\input(?![a-zA-Z])\s*(?:\{([^{}]+)\}|([^\s{}%\\]+))/g) {
          next unless defined $name && $name ne '';
          for my $cand ($name =~ /\.tex\z/ ? ($name) : ("$name.tex", $name)) {
            my $path = File::Spec->catfile($dir, $cand);
            next unless -f $path;
            $path =~ s{^\./}{};
            if (!$seen{$path}++ && @out < 50) {
              my $read = source_of($path);
              push @out, $read;
              push @next, $read;
            }
            last;
          }
        }
      }
      @frontier = @next;
    }
    return @out;
  }

  # What the check reads, once per check: the paper's files, its \pithnumber values (with the
  # file each is in), the lock file's text and pith.sty's text (undef when absent).
  sub snapshot {
    my ($tex, $dir) = @_;
    my (@numbers, @where);
    my @sources = paper_sources($tex, $dir);
    for my $src (@sources) {
      my @found = ($src->[2] =~ /\\pithnumber\s*\{([^{}]*)\}/g);
      push @numbers, @found;
      push @where, ($src->[0]) x @found;
    }
    return {
      texts   => [map { "$_->[0]\0$_->[1]" } @sources],
      numbers => \@numbers,
      where   => \@where,
      lock    => slurp(File::Spec->catfile($dir, $lock_name)),
      sty     => slurp(File::Spec->catfile($dir, 'pith.sty')),
    };
  }

  # Python's json.dumps(sort_keys=True, separators=(',',':'), ensure_ascii=False), as UTF-8 bytes
  # (keys sorted by code point; test/hook.test.ts compares it with src/core/json.ts).
  # Floats (and JSON::PP 4.07's 20-digit integers above 2^64, decoded as floats) have no exact
  # Python form here: refuse them (a canonical record holds none) rather than hash them wrongly.
  sub canonical_json {
    my ($value) = @_;
    require B;
    my @todo = ($value);
    while (@todo) {
      my $v = shift @todo;
      if (ref $v eq 'HASH') { push @todo, values %$v; next; }
      if (ref $v eq 'ARRAY') { push @todo, @$v; next; }
      next if ref $v || !defined $v;
      my $flags = B::svref_2object(\$v)->FLAGS;
      die "the record holds the number $v, which the core-Perl check cannot hash exactly\n"
        if ($flags & B::SVp_NOK()) && !($flags & (B::SVp_IOK() | B::SVp_POK()));
    }
    return JSON::PP->new->utf8->canonical->allow_nonref->allow_bignum->encode($value);
  }

  # The check in core Perl (JSON::PP, Digest::SHA) on a snapshot. Returns a list of problems.
  sub perl_check {
    my ($tex, $snap) = @_;
    my @problems;
    my $stamp = "pith-tex stamp $tex";
    my @numbers = @{$snap->{numbers}};
    my @where = @{$snap->{where}};
    my $sty = $snap->{sty};
    my ($sty_body, $sty_year);
    if (defined $sty) {
      if ($sty =~ /\\(?:g|x|e)?def\s*\\pith\@stamped\@number\s*\{([^{}]*)\}/) { ($sty_body, $sty_year) = parse_number($1); }
      if (!defined $sty_body && $sty =~ /\\(?:g|x|e)?def\s*\\pith\@stamped\@body\s*\{([^{}]*)\}/) { ($sty_body) = parse_number($1); }
      if (!defined $sty_year && $sty =~ /\\(?:g|x|e)?def\s*\\pith\@stamped\@year\s*\{(\d{4})\}/) { $sty_year = $1; }
    }
    my $lock_text = $snap->{lock};
    if (!defined $lock_text) {
      return ('NOTHING') if !@numbers && !defined $sty_body;    # nothing stamped: nothing to enforce
      return ("no $lock_name beside $tex: the number cannot be checked -- fix: $stamp");
    }
    my $lock = eval { JSON::PP->new->utf8->allow_bignum->decode($lock_text) };
    if (!$lock || ref $lock ne 'HASH' || ($lock->{lock} // '') ne 'pith-tex/lock' || ref $lock->{canonical_record} ne 'HASH') {
      return ("$lock_name is not a pith-tex lock file" . ($@ ? " ($@)" : '') . " -- fix: $stamp");
    }
    my $canon = eval { canonical_json($lock->{canonical_record}) };
    return ("$lock_name: $@" =~ s/\n\z//r . " -- fix: $stamp") unless defined $canon;
    my $sha = Digest::SHA::sha256_hex($canon);
    my $body = body_of_digest(Digest::SHA::sha256($canon));
    my $submitted = eval { $lock->{canonical_record}{metadata}{submitted_at} } // '';
    my ($year) = $submitted =~ /^(\d{4})-/;
    $year //= '????';
    my $number = "pith:$year:$body";
    push @problems, "$lock_name does not verify: canonical_sha256 " . ($lock->{canonical_sha256} // 'missing') . " is not the record's hash $sha -- fix: $stamp"
      if ($lock->{canonical_sha256} // '') ne $sha;
    push @problems, "$lock_name does not verify: pith_number " . ($lock->{pith_number} // 'missing') . " is not the record's number $number -- fix: $stamp"
      if ($lock->{pith_number} // '') ne $number;
    push @problems, "$lock_name does not verify: the receipt is for another hash -- fix: $stamp"
      if ref $lock->{receipt} ne 'HASH' || ($lock->{receipt}{canonical_sha256} // '') ne $sha;
    return @problems if @problems;    # the record itself is off: comparisons would only echo it
    push @problems, "$tex has no \\pithnumber, but $lock_name holds $number -- fix: $stamp" unless @numbers;
    for my $i (0 .. $#numbers) {
      my ($raw, $in) = ($numbers[$i], $where[$i]);
      my ($b, $y) = parse_number($raw);
      if (!defined $b) { push @problems, "$in: \\pithnumber{$raw} is not a Pith number -- fix: $stamp"; next; }
      push @problems, "$in says \\pithnumber{$raw} but $lock_name holds $number -- fix: $stamp"
        if $b ne $body || (defined $y && $y ne $year);
    }
    if (!defined $sty) {
      push @problems, "no pith.sty beside $tex -- fix: $stamp";
    } elsif (!defined $sty_body) {
      push @problems, "pith.sty beside $tex is not a copy generated by pith-tex -- fix: $stamp";
    } elsif ($sty_body ne $body || (defined $sty_year && $sty_year ne $year)) {
      push @problems, "pith.sty is stamped for " . show_number($sty_body, $sty_year) . " but $lock_name holds $number -- fix: $stamp";
    }
    return @problems;
  }

  my %said = (
    agree         => "pith.lock.json, \\pithnumber and pith.sty agree",
    'not checked' => "not checked; the build goes on",
  );

  # 1 when the build may go on, 0 when it must fail. Memoized on what the check reads (the
  # paper's files, the lock and pith.sty), so the passes of one build run it once.
  sub check {
    my ($tex) = @_;
    return 1 unless defined $tex && -f $tex;
    # Core Perl since 5.14, but a trimmed Perl may lack it: say so on every run, never die here.
    if (!eval { require Digest::SHA; 1 }) {
      print STDERR "pith-tex hook: NOT CHECKED: this Perl lacks Digest::SHA; run `pith-tex check $tex` elsewhere.\n";
      return 1;
    }
    my $dir = File::Basename::dirname($tex);
    my $snap = snapshot($tex, $dir);
    my $key = Digest::SHA::sha1_hex(join "\0", $tex, @{$snap->{texts}}, map { $_ // "\x{1}absent" } $snap->{lock}, $snap->{sty});
    if (exists $memo{$key}) {
      my ($ok, $kind) = @{$memo{$key}};
      print $ok
        ? "pith-tex hook: $tex: $said{$kind} (unchanged since the last check)\n"
        : "pith-tex hook: the check failed (nothing changed since the last check); this LaTeX run is stopped.\n";
      return $ok;
    }
    my ($ok, $kind) = run_check($tex, $snap);
    $memo{$key} = [$ok, $kind];
    return $ok;
  }

  # (ok, kind): ok 1 when the build may go on; kind 'agree' or 'not checked' when it may.
  sub run_check {
    my ($tex, $snap) = @_;
    my $want = $ENV{PITH_TEX} // '';
    my $cmd = $want eq 'perl' ? undef : $want ne '' ? $want : which('pith-tex');
    if (defined $cmd) {
      my $rc = system($cmd, 'check', '--quiet', $tex);
      my $exit = $rc == -1 ? -1 : ($rc & 127) ? -1 : $rc >> 8;
      if ($exit == 0) { print "pith-tex hook: $tex: $said{agree}; record and receipt verified\n"; return (1, 'agree'); }
      if ($exit == 1) { print STDERR "pith-tex hook: the check failed (above); this LaTeX run is stopped.\n"; return (0, 'failed'); }
      if ($exit == 2) { print STDERR "pith-tex hook: not checked (above); the build goes on.\n"; return (1, 'not checked'); }
      print STDERR "pith-tex hook: could not run '$cmd check' (exit $exit); using the core-Perl check instead.\n";
    } else {
      print "pith-tex hook: pith-tex (Node) is not on the PATH here; running the core-Perl check instead.\n";
    }
    if (!eval { require JSON::PP; 1 }) {
      print STDERR "pith-tex hook: NOT CHECKED: this Perl lacks JSON::PP; run `pith-tex check $tex` elsewhere.\n";
      return (1, 'not checked');
    }
    my @problems = perl_check($tex, $snap);
    if (@problems == 1 && $problems[0] eq 'NOTHING') {
      print STDERR "pith-tex hook: $tex: nothing stamped (no pith.lock.json, \\pithnumber or generated pith.sty): not checked; the build goes on.\n";
      return (1, 'not checked');
    }
    if (@problems) {
      print STDERR "pith-tex check: \x{2717} $_\n" for @problems;
      print STDERR "pith-tex hook: the check failed; this LaTeX run is stopped.\n";
      return (0, 'failed');
    }
    print "pith-tex hook: $tex: record hash, number, \\pithnumber and pith.sty agree (core-Perl check).\n",
      "pith-tex hook: the receipt's Ed25519 signature was NOT checked (no Node here): run `pith-tex check` where Node is installed.\n";
    return (1, 'agree');
  }

  # check() for latexmk's callbacks: an internal error fails the run, with the reason.
  sub guarded_check {
    my ($tex) = @_;
    my $ok = eval { check($tex) };
    return $ok if defined $ok;
    print STDERR "pith-tex hook: internal error, the check did not run: $@";
    return 0;
  }
}

# latexmk calls this for each LaTeX run ("internal" command): check, then run the engine.
sub pith_tex_run {
  my @cmd = @_;
  return 256 unless PithTexHook::guarded_check(PithTexHook::tex_of(@cmd));
  system { $cmd[0] } @cmd;
  return $?;
}

for my $pith_tex_engine (\$pdflatex, \$latex, \$xelatex, \$lualatex) {
  $$pith_tex_engine = "internal pith_tex_run $$pith_tex_engine"
    if defined $$pith_tex_engine && $$pith_tex_engine ne '' && $$pith_tex_engine !~ /^internal\s+pith_tex_run\b/;
}

# An engine given on latexmk's command line (-pdflatex="...") replaces the wrapped command
# after this file is read, so its rule runs the engine directly. Check it here instead, just
# before that run; on a failure, that one run's command is swapped for one that fails (and put
# back after it), so latexmk stops exactly as with the wrapper, and -pvc recovers when mended.
if (defined &add_hook) {
  my $pith_tex_swapped;
  add_hook('before_xlatex', sub {
    our ($Pext_cmd, $Psource);
    # A wrapped engine is the command line "internal pith_tex_run ...": it checks by itself.
    return unless ref $Pext_cmd eq 'SCALAR' && defined $$Pext_cmd && $$Pext_cmd ne '';
    return if $$Pext_cmd =~ /^\s*(?:(?:no)?start\s+)*internal\s+pith_tex_run\b/;
    my $tex = ref $Psource eq 'SCALAR' && defined $$Psource ? $$Psource : $main::texfile_name;
    return if PithTexHook::guarded_check($tex);
    $pith_tex_swapped = $$Pext_cmd;
    $$Pext_cmd = qq{"$^X" -e "exit 1"};
  });
  add_hook('after_xlatex', sub {
    our $Pext_cmd;
    return unless defined $pith_tex_swapped;
    $$Pext_cmd = $pith_tex_swapped if ref $Pext_cmd eq 'SCALAR';
    undef $pith_tex_swapped;
  });

  # pith.lock.json is not read by TeX: make latexmk (-pvc) watch it as a source of the run.
  add_hook('after_xlatex_analysis', sub {
    our $rule;
    return unless defined $rule && defined &rdb_ensure_file;
    my $tex = $main::root_filename;
    my $dir = defined $tex ? File::Basename::dirname($tex) : '.';
    my $lock = File::Spec->catfile($dir, $PithTexHook::lock_name);
    $lock =~ s{^\./}{};
    rdb_ensure_file($rule, $lock) if -f $lock;
  });
}
