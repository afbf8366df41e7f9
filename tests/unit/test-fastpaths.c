/* test-fastpaths.c: unit tests for what makes the tools fast: trigger index, byte prefilter, pattern cache, store batches, mapped input. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "findings.h"
#include "fingerprint.h"
#include "msg.h"
#include "rules.h"
#include "store.h"
#include "text.h"
#include "unit.h"

static char dir[] = "/tmp/test-fastpaths.XXXXXX";

static char *
write_file (const char *name, const char *content, size_t len)
{
  static char path[4096];
  snprintf (path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen (path, "wb");
  if (!f)
    return NULL;
  fwrite (content, 1, len, f);
  fclose (f);
  return path;
}

static struct ruleset
load_string (const char *content)
{
  struct ruleset rs = { 0 };
  char err[512] = "";
  const char *path = write_file ("t.rules", content, strlen (content));
  if (!path || rules_load_file (&rs, path, err, sizeof err) != 0)
    {
      fprintf (stderr, "unexpected load error: %s\n", err);
      unit_failures++;
    }
  return rs;
}

/* The ids RS's rules of tool "t" find in TEXT, space-separated, in finding order. */
static void
run (struct ruleset *rs, const char *text, char *out, size_t size)
{
  struct text t;
  struct findings f = { 0 };
  out[0] = '\0';
  if (text_analyze (&t, text, strlen (text)) < 0)
    {
      unit_failures++;
      return;
    }
  CHECK (rules_match (rs, "t", &t, NULL, &f) == 0);
  for (size_t i = 0; i < f.n; i++)
    {
      size_t n = strlen (out);
      snprintf (out + n, size - n, "%s%s", n ? " " : "", f.v[i].rule);
    }
  findings_clear (&f);
  free (f.v);
  text_free (&t);
}

#define R(id, extra) "rule " id "\ntool t\nside sach\ndescribe-de d\ndescribe-en e\n" extra

/* Triggers: exact words, prefixes ("frag*" takes "frag" and "fragen"), per sentence. */
static void
test_triggers (void)
{
  struct ruleset rs = load_string (
    R ("EXACT", "trigger kurz\npattern /kurz/i\n")
    R ("PREFIX", "trigger frag*\npattern /frag\\w*/i\n")
    R ("LONGPREFIX", "trigger zusammenarbeit*\npattern /zusammenarbeit\\w*/i\n")
    R ("SENT", "trigger termin\npattern /woche/i\n"));
  char got[512];
  run (&rs, "Eine kurze Frage. Noch eine Fragestellung.", got, sizeof got);
  CHECK_STR (got, "PREFIX PREFIX");          /* "kurze" is not the word "kurz" */
  run (&rs, "Nur kurz: frag ruhig.", got, sizeof got);
  CHECK_STR (got, "EXACT PREFIX");
  run (&rs, "Zusammenarbeiten wir?", got, sizeof got);
  CHECK_STR (got, "LONGPREFIX");
  /* The trigger must be in the same sentence as the match. */
  run (&rs, "Einen Termin hätte ich. Nächste Woche vielleicht.", got, sizeof got);
  CHECK_STR (got, "");
  run (&rs, "Einen Termin nächste Woche?", got, sizeof got);
  CHECK_STR (got, "SENT");
  CHECK (rules_find (&rs, "EXACT")->code != NULL);
  rules_free (&rs);
}

/* A pattern without triggers whose every alternative needs a punctuation byte is neither
   compiled nor run on a text without one, and still finds what it should. */
static void
test_prefilter (void)
{
  struct ruleset rs = load_string (
    R ("TAG", "scope message\npattern /\\{\\{\\s*\\w+\\s*\\}\\}|\\*\\|\\w+\\|\\*/i\n")
    R ("LOOKBEHIND", "scope message\npattern /(?<![\\w-])-(?:name|firma)-(?![\\w-])/i\n")
    R ("OPTIONAL", "scope message\npattern /\\[?Name\\]?/i\n")
    R ("GROUPED", "scope message\npattern /(?:\\{|<)x/i\n"));
  char got[512];
  run (&rs, "Hallo Anna, wie geht es?", got, sizeof got);
  CHECK_STR (got, "");
  CHECK (rules_find (&rs, "TAG")->code == NULL);        /* never compiled: no '{' or '*' */
  CHECK (rules_find (&rs, "LOOKBEHIND")->code == NULL); /* no '-' */
  CHECK (rules_find (&rs, "GROUPED")->code != NULL);    /* a group hides its bytes: always runs */
  run (&rs, "Hallo {{ vorn }}, und *|FIRST|*!", got, sizeof got);
  CHECK_STR (got, "TAG TAG");
  run (&rs, "Sehr geehrte -firma-,", got, sizeof got);
  CHECK_STR (got, "LOOKBEHIND");
  /* "[?" makes the bracket optional: the rule must run without any bracket. */
  run (&rs, "Hallo Name", got, sizeof got);
  CHECK_STR (got, "OPTIONAL");
  rules_free (&rs);
}

/* Compiled patterns come back from the cache file, and a damaged file is ignored. */
static void
test_pattern_cache (void)
{
  char cache[4200];
  snprintf (cache, sizeof cache, "%s/cache", dir);
  setenv ("XDG_CACHE_HOME", cache, 1);
  unsetenv ("RITTBERGER_PATTERN_CACHE");
  const char *rules = R ("WORD", "trigger angebot\npattern /\\bangebot\\w*/i\n");
  char got[512];
  for (int round = 0; round < 3; round++)
    {
      struct ruleset rs = load_string (rules);
      run (&rs, "Ein Angebot für Sie.", got, sizeof got);
      CHECK_STR (got, "WORD");
      rules_free (&rs);
      if (round == 1)
        {
          /* Damage every record: the next process must compile again and still match. */
          char sub[4300];
          snprintf (sub, sizeof sub, "%s/rittberger", cache);
          bool found = false;
          FILE *ls = NULL;
          char cmd[4400];
          snprintf (cmd, sizeof cmd, "ls %s", sub);
          if ((ls = popen (cmd, "r")))
            {
              char name[256];
              while (fgets (name, sizeof name, ls))
                {
                  name[strcspn (name, "\n")] = '\0';
                  char path[4600];
                  snprintf (path, sizeof path, "%s/%s", sub, name);
                  FILE *f = fopen (path, "r+b");
                  if (f)
                    {
                      found = true;
                      fseek (f, 40, SEEK_SET);
                      fputs ("garbage garbage garbage", f);
                      fclose (f);
                    }
                }
              pclose (ls);
            }
          CHECK (found);          /* the first round wrote a cache file */
        }
    }
  setenv ("RITTBERGER_PATTERN_CACHE", "off", 1);
}

static void
make_fp (struct fingerprint *fp, const struct fp_key *key, int variant)
{
  char body[2000];
  int n = snprintf (body, sizeof body, "Sehr geehrte Damen und Herren, wir sind eine Agentur "
                    "aus Berlin und helfen Unternehmen wie Ihrem, mehr Kunden über Google zu "
                    "gewinnen. Haben Sie diese Woche fünfzehn Minuten Zeit für ein kurzes "
                    "Gespräch über Ihre Website und Ihre Sichtbarkeit? Variante %d.", variant);
  CHECK (fp_fingerprint (body, n, NULL, NULL, key, fp) == 0);
}

/* Batched deliveries see each other at once, reach other connections when flushed, and a
   closed store has committed its batch. */
static void
test_store_batch (void)
{
  char path[4200];
  snprintf (path, sizeof path, "%s/store.sqlite", dir);
  char err[512];
  struct store *a, *b;
  CHECK (store_open (path, NULL, &a, err, sizeof err) == STORE_OK);
  CHECK (store_open (path, NULL, &b, err, sizeof err) == STORE_OK);
  store_set_batch (a, 100, 60000);
  struct fingerprint fp;
  make_fp (&fp, store_key (a), 1);
  for (int sender = 1; sender <= 4; sender++)
    {
      struct store_query q = { .fp = &fp, .sender = sender, .now = 1000000 + sender,
                               .lookup = true, .learn = true };
      struct store_answer ans;
      CHECK (store_lookup (a, &q, &ans) == STORE_OK);
      CHECK (ans.senders == (size_t) sender - 1);   /* the batch sees its own deliveries */
    }
  size_t n = 99;
  /* Another connection does not see the open batch... */
  struct store_query q = { .fp = &fp, .sender = 9, .now = 1000010, .lookup = true };
  struct store_answer ans;
  CHECK (store_lookup (b, &q, &ans) == STORE_OK);
  CHECK (ans.senders == 0);
  /* ...until it is flushed. */
  CHECK (store_flush (a) == STORE_OK);
  CHECK (store_lookup (b, &q, &ans) == STORE_OK);
  CHECK (ans.senders == 4);
  /* Other calls flush first; closing commits the rest. */
  struct store_query q5 = { .fp = &fp, .sender = 5, .now = 1000011, .lookup = true, .learn = true };
  CHECK (store_lookup (a, &q5, &ans) == STORE_OK);
  CHECK (store_count (a, &n) == STORE_OK && n == 5);
  struct store_query q6 = { .fp = &fp, .sender = 6, .now = 1000012, .lookup = true, .learn = true };
  CHECK (store_lookup (a, &q6, &ans) == STORE_OK);
  store_close (a);
  CHECK (store_count (b, &n) == STORE_OK && n == 6);
  /* A batch of one is no batch: every delivery is committed at once. */
  store_set_batch (b, 1, 0);
  struct store_query q7 = { .fp = &fp, .sender = 7, .now = 1000013, .lookup = true, .learn = true };
  CHECK (store_lookup (b, &q7, &ans) == STORE_OK);
  CHECK (store_open (path, NULL, &a, err, sizeof err) == STORE_OK);
  CHECK (store_count (a, &n) == STORE_OK && n == 7);
  store_close (a);
  store_close (b);
}

/* A large mbox is mapped, not read: every message still comes out whole, and the input's
   data stays readable after the pages behind are given back. */
static void
test_mapped_mbox (void)
{
  enum { MESSAGES = 4000 };
  size_t cap = MESSAGES * 200, len = 0;
  char *mbox = malloc (cap);
  CHECK (mbox != NULL);
  if (!mbox)
    return;
  for (int i = 0; i < MESSAGES; i++)
    len += snprintf (mbox + len, cap - len, "From a@b Thu Jan  1 00:00:00 2004\nFrom: a@b\n"
                     "Subject: %d\n\nHallo Nummer %d, wie geht es?\n\n", i, i);
  const char *path = write_file ("big.mbox", mbox, len);
  struct msg_input *in = path ? msg_input_open (path) : NULL;
  CHECK (in != NULL);
  if (in)
    {
      CHECK (msg_input_is_mbox (in));
      struct msg m;
      int count = 0, r;
      while ((r = msg_input_next (in, &m)) > 0)
        {
          char want[64];
          snprintf (want, sizeof want, "%d", count);
          const char *subject = msg_header (&m, "Subject");
          if (!subject || strcmp (subject, want) != 0)
            {
              CHECK_STR (subject, want);
              msg_free (&m);
              break;
            }
          count++;
          msg_free (&m);
        }
      CHECK (r == 0 && count == MESSAGES);
      size_t got_len;
      const char *data = msg_input_data (in, &got_len);
      CHECK (got_len == len && memcmp (data, mbox, len) == 0);
      msg_input_close (in);
    }
  free (mbox);
}

int
main (void)
{
  if (!mkdtemp (dir))
    return 99;
  setenv ("RITTBERGER_PATTERN_CACHE", "off", 1);
  test_triggers ();
  test_prefilter ();
  test_pattern_cache ();
  test_store_batch ();
  test_mapped_mbox ();
  char cmd[4200];
  snprintf (cmd, sizeof cmd, "rm -rf %s", dir);
  if (system (cmd) != 0)
    fprintf (stderr, "could not remove %s\n", dir);
  UNIT_EXIT ();
}
