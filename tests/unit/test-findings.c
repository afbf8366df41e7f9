/* test-findings.c: the findings record, its TSV round trip, escaping and sorting. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#include <config.h>
#include <stdlib.h>
#include "findings.h"
#include "unit.h"

int
main (void)
{
  const char *body = "Hallo,\nhast du\tZeit?";
  struct findings f = { 0 };
  CHECK (findings_add (&f, body, "DU_VERB", "DU", SEV_STRONG, 0, 7, 12) == 0);
  CHECK (findings_add (&f, body, "CUE_T_GREETING", "CUE", SEV_INFO, 0, 0, 5) == 0);
  CHECK (findings_add (&f, body, "DU_VERB", "DU", SEV_STRONG, 0, 7, 12) == 0);
  CHECK (findings_add (&f, body, "SIE_MID", "SIE", SEV_WEAK, FIND_QUOTED, 12, 3) == 0);
  findings_sort (&f);
  CHECK (f.n == 3);
  CHECK_STR (f.v[0].rule, "CUE_T_GREETING");
  CHECK_STR (f.v[1].match, "hast du\tZeit");
  CHECK (findings_counted (&f) == 2);

  f.v[1].line = 2;
  f.v[1].col = 1;
  f.v[1].weight = 1.5;
  char *buf = NULL;
  size_t size = 0;
  FILE *mem = open_memstream (&buf, &size);
  struct findings one = { .v = &f.v[1], .n = 1 };
  CHECK (findings_write_tsv (mem, "a\tb.txt", "detect-duzen", &one) == 0);
  CHECK (findings_write_verdict_tsv (mem, "a\tb.txt", "detect-duzen", "DU", 3, "du=3") == 0);
  fclose (mem);
  CHECK_STR (buf, "F\ta\\tb.txt\t2:1\tdetect-duzen\tDU_VERB\tDU\tstrong\t-\t1.5\thast du\\tZeit\n"
                  "V\ta\\tb.txt\tdetect-duzen\tDU\t3.0\tdu=3\n");

  /* Read both records back. */
  char *nl = strchr (buf, '\n');
  *nl = '\0';
  struct findings_record r;
  CHECK (findings_parse_line (buf, &r) == 1);
  CHECK (r.kind == 'F');
  CHECK_STR (r.label, "a\tb.txt");
  CHECK (r.f.line == 2 && r.f.col == 1);
  CHECK_STR (r.f.rule, "DU_VERB");
  CHECK (r.f.severity == SEV_STRONG);
  CHECK (r.f.weight == 1.5);
  CHECK_STR (r.f.match, "hast du\tZeit");
  char *second = nl + 1;
  second[strcspn (second, "\n")] = '\0';
  CHECK (findings_parse_line (second, &r) == 1);
  CHECK (r.kind == 'V');
  CHECK_STR (r.verdict, "DU");
  CHECK (r.score == 3);

  char bad[] = "F\tonly\tthree";
  CHECK (findings_parse_line (bad, &r) == -1);
  char badpos[] = "F\tx\t2-1\tt\tR\tC\tweak\t-\t0\tm";
  CHECK (findings_parse_line (badpos, &r) == -1);
  /* Positions are 1-based, unsigned and bounded: no sign, no zero, no overflow. */
  char negative[] = "F\tx\t2:-1\tt\tR\tC\tweak\t-\t0\tm";
  CHECK (findings_parse_line (negative, &r) == -1);
  char zero[] = "F\tx\t0:1\tt\tR\tC\tweak\t-\t0\tm";
  CHECK (findings_parse_line (zero, &r) == -1);
  char huge[] = "F\tx\t99999999999999999999:1\tt\tR\tC\tweak\t-\t0\tm";
  CHECK (findings_parse_line (huge, &r) == -1);
  char plus[] = "F\tx\t+3:1\tt\tR\tC\tweak\t-\t0\tm";
  CHECK (findings_parse_line (plus, &r) == -1);
  char comment[] = FINDINGS_MAGIC;
  CHECK (findings_parse_line (comment, &r) == 0);

  char *e = findings_escape ("a\\b\nc");
  CHECK_STR (e, "a\\\\b\\nc");
  findings_unescape (e);
  CHECK_STR (e, "a\\b\nc");
  free (e);
  free (buf);
  findings_clear (&f);
  free (f.v);
  UNIT_EXIT ();
}
