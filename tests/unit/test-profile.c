/* test-profile.c: the recipient profile parser and the known-correspondent test. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#include <config.h>
#include <stdlib.h>
#include <unistd.h>
#include "profile.h"
#include "unit.h"

static void
write_file (const char *path, const char *text)
{
  FILE *f = fopen (path, "w");
  fputs (text, f);
  fclose (f);
}

int
main (void)
{
  char dir[] = "/tmp/rb-profile-XXXXXX";
  if (!mkdtemp (dir))
    return 77;
  char cfg[64], known[64], bad[64], err[512];
  snprintf (cfg, sizeof cfg, "%s/config", dir);
  snprintf (known, sizeof known, "%s/known", dir);
  snprintf (bad, sizeof bad, "%s/bad", dir);
  write_file (known, "# exported\nAnna Meier <Anna@Example.ORG>\nbob@friends.net\n\n");
  char text[256];
  snprintf (text, sizeof text,
            "# my profile\nname Kourosh Ghaffari\nis Beratung, Coaching\nis-not Agentur Shop\n"
            "known @kunde.de\nknown-file %s\naddress-form = Sie\nthreshold 4.5\n", known);
  write_file (cfg, text);

  struct profile p;
  CHECK (profile_load (&p, cfg, err, sizeof err) == 0);
  CHECK (p.names.n == 2);
  CHECK_STR (p.names.v[1], "Ghaffari");
  CHECK (p.is.n == 2 && p.is_not.n == 2);
  CHECK (p.threshold == 4.5);
  CHECK (p.address_form == PROFILE_SIE);
  CHECK (profile_is_known (&p, "\"Meier, Anna\" <anna@example.org>"));
  CHECK (profile_is_known (&p, "bob@friends.net (Bob)"));
  CHECK (profile_is_known (&p, "Chef <chef@kunde.de>"));
  CHECK (!profile_is_known (&p, "Bot <growth@agency.io>"));
  CHECK (!profile_is_known (&p, "chef@sub.kunde.de"));
  CHECK (!profile_is_known (&p, "no address here"));
  profile_free (&p);

  write_file (bad, "name X\nthreshold high\n");
  CHECK (profile_load (&p, bad, err, sizeof err) == -1);
  char want[128];
  snprintf (want, sizeof want, "%s:2: threshold must be a number: threshold", bad);
  CHECK_STR (err, want);
  write_file (bad, "colour blue\n");
  CHECK (profile_load (&p, bad, err, sizeof err) == -1);
  snprintf (want, sizeof want, "%s:1: unknown key: colour", bad);
  CHECK_STR (err, want);

  CHECK (profile_load (&p, "/nonexistent/config", err, sizeof err) == -1);
  CHECK_STR (err, "/nonexistent/config: No such file or directory");

  char buf[64];
  CHECK_STR (profile_address ("A <B@C.de>", buf, sizeof buf), "b@c.de");
  CHECK (profile_address ("nobody", buf, sizeof buf) == NULL);

  remove (cfg); remove (known); remove (bad); rmdir (dir);
  UNIT_EXIT ();
}
