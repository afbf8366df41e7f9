/* test-fastpaths.c: unit tests for what makes the tools fast: trigger index, byte prefilter, pattern cache, store batches, mapped input. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "findings.h"
#include "fingerprint.h"
#include "msg.h"
#include "rules.h"
#include "rules-priv.h"
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

/* A sentence that repeats an earlier one takes its matches from it: the findings must be the
   same as running the pattern on each copy, at each copy's own offsets, for each rule. */
static void
test_repeated_sentences (void)
{
  struct ruleset rs = load_string (
    R ("TWICE", "trigger zeit\npattern /\\b(?:hast|zeit)\\b/i\n")
    R ("ONCE", "trigger zeit\npattern /morgen/i\n")
    R ("EMPTY", "trigger zeit\npattern /(?=Zeit)/\n"));
  const char *body =
    "Hast du morgen Zeit? Wir sind da. Hast du morgen Zeit?\n"
    "\n"
    "> Hast du morgen Zeit?\n"
    "\n"
    "Hast du morgen Zeit?\n";
  struct text t;
  struct findings f = { 0 };
  CHECK (text_analyze (&t, body, strlen (body)) == 0);
  CHECK (rules_match (&rs, "t", &t, NULL, &f) == 0);
  /* Three own copies (the quoted one is not the sender's): per copy "Hast" and "Zeit", "morgen"
     and the empty match before "Zeit". */
  char got[2048] = "", want[2048] = "";
  for (size_t i = 0; i < f.n; i++)
    {
      size_t n = strlen (got);
      snprintf (got + n, sizeof got - n, "%s@%zu+%zu ", f.v[i].rule, (size_t) f.v[i].off, (size_t) f.v[i].len);
    }
  size_t copies[] = { 0, 34, 80 };
  const char *rules[] = { "TWICE", "ONCE", "EMPTY" };
  for (size_t r = 0; r < 3; r++)
    for (size_t c = 0; c < 3; c++)
      {
        size_t n = strlen (want), o = copies[c];
        if (r == 0)
          snprintf (want + n, sizeof want - n, "TWICE@%zu+4 TWICE@%zu+4 ", o, o + 15);
        else if (r == 1)
          snprintf (want + n, sizeof want - n, "ONCE@%zu+6 ", o + 8);
        else
          snprintf (want + n, sizeof want - n, "%s@%zu+0 ", rules[r], o + 15);
      }
  CHECK_STR (got, want);
  findings_clear (&f);
  free (f.v);
  text_free (&t);
  rules_free (&rs);
}

/* Every field of every rule of RS, one line each, into a new string. */
static char *
describe_rules (const struct ruleset *rs)
{
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  if (!f)
    return NULL;
  for (size_t i = 0; i < rs->n; i++)
    {
      const struct rule *r = &rs->v[i];
      fprintf (f, "%s|%s|%s|%s|%s|%d|%d|%a|%a|%u|%lu|%lu|%s|", r->id, r->tool ? r->tool : "-",
               r->cls ? r->cls : "-", r->lang, r->pattern ? r->pattern : "-", r->side, r->scope,
               r->weight, r->cap, r->pattern_flags, r->line, r->pattern_line, r->file);
      for (int k = 0; k < 2; k++)
        fprintf (f, "%s|%s|", r->describe[k], r->advice[k] ? r->advice[k] : "-");
      for (size_t k = 0; k < r->ntrigger; k++)
        fprintf (f, "t:%s|", r->trigger[k]);
      for (size_t k = 0; k < r->nmatch; k++)
        fprintf (f, "m%lu:%s|", r->match_line[k], r->match[k]);
      for (size_t k = 0; k < r->nnomatch; k++)
        fprintf (f, "n%lu:%s|", r->nomatch_line[k], r->nomatch[k]);
      fprintf (f, "%s\n", r->match && r->match[r->nmatch] ? "unterminated" : "");
    }
  fclose (f);
  return buf;
}

/* Load the rules directory SUB ("" on a load error, with the message in ERR). */
static char *
load_dir_described (const char *sub, char *err, size_t errlen)
{
  struct ruleset rs = { 0 };
  err[0] = '\0';
  char *d = rules_load_dir (&rs, sub, err, errlen) == 0 ? describe_rules (&rs) : strdup ("");
  rules_free (&rs);
  return d;
}

/* The cache file in CACHE/rittberger whose name starts with PREFIX (not a temporary one), or
   "" if there is none. */
static const char *
cache_file (const char *cache, const char *prefix)
{
  static char path[4600];
  char sub[4300];
  snprintf (sub, sizeof sub, "%s/rittberger", cache);
  path[0] = '\0';
  DIR *d = opendir (sub);
  struct dirent *e;
  while (d && (e = readdir (d)))
    if (strncmp (e->d_name, prefix, strlen (prefix)) == 0 && !strstr (e->d_name, ".bin."))
      snprintf (path, sizeof path, "%s/%s", sub, e->d_name);
  if (d)
    closedir (d);
  return path;
}

/* The parsed-rules image in CACHE/rittberger, or "" if there is none. */
static const char *
image_file (const char *cache)
{
  return cache_file (cache, "rules-");
}

/* Replace the first FROM in file PATH by TO (as long); false if FROM is not there. */
static bool
patch_file (const char *path, const char *from, const char *to)
{
  FILE *f = fopen (path, "r+b");
  if (!f)
    return false;
  static char buf[1 << 20];
  size_t n = fread (buf, 1, sizeof buf, f);
  char *at = memmem (buf, n, from, strlen (from));
  bool ok = at && fseek (f, at - buf, SEEK_SET) == 0 && fwrite (to, 1, strlen (to), f) == strlen (to);
  fclose (f);
  return ok;
}

/* A directory's rules come back from the parsed-rules image as parsing them gives them; a
   changed file (even one of the same size), an added or removed one and a damaged image are
   all noticed. */
static void
test_rules_image (void)
{
  char cache[4200], sub[4200], err[512];
  snprintf (cache, sizeof cache, "%s/icache", dir);
  snprintf (sub, sizeof sub, "%s/irules", dir);
  CHECK (mkdir (sub, 0700) == 0);
  setenv ("XDG_CACHE_HOME", cache, 1);
  unsetenv ("RITTBERGER_PATTERN_CACHE");
  const char *a_text = "rule ALPHA\ntool t\nside selbst\nscope question\nlang de\n"
    "describe-de Beschreibung A\ndescribe-en Description A\nadvice-de Rat A\n"
    "trigger angebot frag*\npattern |\\bangebot/|ix\nweight -1.25\ncap 3\n"
    "match Ein Angebot\\nzwei\nnomatch nichts\nnomatch gar nichts\n"
    R ("GAMMA", "class OLD\n");
  const char *b_text = R ("BETA", "scope message\npattern /x+/\n") R ("GAMMA", "class NEW\n");
  write_file ("irules/a.rules", a_text, strlen (a_text));
  write_file ("irules/b.rules", b_text, strlen (b_text));

  char *parsed = load_dir_described (sub, err, sizeof err);
  CHECK (parsed && strstr (parsed, "GAMMA|t|NEW|") && strstr (parsed, "m13:Ein Angebot\nzwei|"));
  CHECK (*image_file (cache));  /* the first load wrote the image */
  char *again = load_dir_described (sub, err, sizeof err);
  CHECK_STR (again, parsed);
  free (again);

  /* The second load really came from the image: a string changed in it shows. */
  CHECK (patch_file (image_file (cache), "Beschreibung A", "BESCHREIBUNG A"));
  again = load_dir_described (sub, err, sizeof err);
  CHECK (again && strstr (again, "BESCHREIBUNG A"));
  free (again);

  /* A rule file changed without changing its size is parsed again. */
  char path[4300];
  snprintf (path, sizeof path, "%s/a.rules", sub);
  CHECK (patch_file (path, "Beschreibung A", "Beschreibung Z"));
  again = load_dir_described (sub, err, sizeof err);
  CHECK (again && strstr (again, "Beschreibung Z") && !strstr (again, "BESCHREIBUNG"));
  free (again);
  CHECK (patch_file (path, "Beschreibung Z", "Beschreibung A"));
  again = load_dir_described (sub, err, sizeof err);
  CHECK_STR (again, parsed);
  free (again);

  /* An added file, then a removed one. */
  write_file ("irules/c.rules", R ("DELTA", ""), strlen (R ("DELTA", "")));
  again = load_dir_described (sub, err, sizeof err);
  CHECK (again && strstr (again, "DELTA|"));
  free (again);
  snprintf (path, sizeof path, "%s/c.rules", sub);
  CHECK (unlink (path) == 0);
  again = load_dir_described (sub, err, sizeof err);
  CHECK_STR (again, parsed);
  free (again);

  /* A damaged or cut image is ignored (and rewritten). */
  CHECK (patch_file (image_file (cache), "rittberger-rules-image", "rittberger-rules-imagX"));
  again = load_dir_described (sub, err, sizeof err);
  CHECK_STR (again, parsed);
  free (again);
  CHECK (truncate (image_file (cache), 200) == 0);
  again = load_dir_described (sub, err, sizeof err);
  CHECK_STR (again, parsed);
  free (again);
  CHECK (truncate (image_file (cache), 12345) == 0);      /* zeros at the end */
  again = load_dir_described (sub, err, sizeof err);
  CHECK_STR (again, parsed);
  free (again);

  /* A file with an error is reported as without an image. */
  write_file ("irules/b.rules", "rule X\nbogus 1\n", strlen ("rule X\nbogus 1\n"));
  again = load_dir_described (sub, err, sizeof err);
  CHECK (strstr (err, "b.rules:2: unknown key 'bogus'") != NULL);
  free (again);
  free (parsed);
  setenv ("RITTBERGER_PATTERN_CACHE", "off", 1);
}

/* The image is used only if each file hashes as it did, so the hash must tell apart edits
   that keep the size: here every change of two letters 32 bytes apart, each the last byte of
   an 8-byte word.  (A hash whose four lanes only multiplied each word in passed a difference
   in a word's top byte on to the top byte alone, and a matching change 32 bytes later, in the
   same lane, cancelled it: "address" -> "pddress" with "phone" -> "phode" went unnoticed.) */
static void
test_rules_image_hash (void)
{
  char cache[4200], sub[4200], err[512], path[4300];
  snprintf (cache, sizeof cache, "%s/hcache", dir);
  snprintf (sub, sizeof sub, "%s/hrules", dir);
  snprintf (path, sizeof path, "%s/a.rules", sub);
  CHECK (mkdir (sub, 0700) == 0);
  setenv ("XDG_CACHE_HOME", cache, 1);
  unsetenv ("RITTBERGER_PATTERN_CACHE");
  const char *original = "rule ALPHA\ntool t\nside selbst\nlang en\ndescribe-de Beschreibung\n"
    "describe-en please reply with your phone number and address today\npattern /x+/\n";
  size_t len = strlen (original);
  const char *value = strstr (original, "describe-en ") + strlen ("describe-en ");
  size_t first = value - original;
  while (first % 8 != 7)
    first++;
  size_t second = first + 32;
  CHECK (second < (size_t) (strchr (value, '\n') - original));
  char *edited = strdup (original);
  int missed = 0;
  for (char a = 'a'; a <= 'z' && edited; a++)
    for (char b = 'a'; b <= 'z'; b++)
      {
        if (a == original[first] || b == original[second])
          continue;
        /* The image holds the original, then the file changes by two letters. */
        write_file ("hrules/a.rules", original, len);
        free (load_dir_described (sub, err, sizeof err));
        memcpy (edited, original, len);
        edited[first] = a;
        edited[second] = b;
        write_file ("hrules/a.rules", edited, len);
        char *got = load_dir_described (sub, err, sizeof err);
        const char *want = strstr (edited, "describe-en ") + strlen ("describe-en ");
        char line[128];
        snprintf (line, sizeof line, "|%.*s|", (int) (strchr (want, '\n') - want), want);
        if (!got || !strstr (got, line))
          {
            if (missed++ == 0)
              fprintf (stderr, "image kept the old rules after %c->%c at %zu, %c->%c at %zu\n",
                       original[first], a, first, original[second], b, second);
          }
        free (got);
      }
  CHECK (missed == 0);
  free (edited);
  setenv ("RITTBERGER_PATTERN_CACHE", "off", 1);
}

/* In a child: load the rules directory SUB, match a text that compiles its pattern and free
   the rules (which writes the pattern cache); exit 0 if the rule was found. */
static void
load_match_exit (const char *sub)
{
  alarm (20);                   /* never outlive a parent that failed */
  struct ruleset rs = { 0 };
  char err[512], got[256];
  if (rules_load_dir (&rs, sub, err, sizeof err) != 0)
    _exit (2);
  run (&rs, "Ein Angebot für Sie.", got, sizeof got);
  rules_free (&rs);
  _exit (strcmp (got, "ALPHA") == 0 ? 0 : 1);
}

/* Run load_match_exit (SUB) in a child; true if it exited 0 within ten seconds, with its
   peak memory in *MAXRSS_KB. */
static bool
load_match_in_child (const char *sub, long *maxrss_kb)
{
  fflush (NULL);
  pid_t child = fork ();
  if (child == 0)
    load_match_exit (sub);
  if (child < 0)
    return false;
  int status = -1;
  pid_t done = 0;
  struct rusage ru = { 0 };
  for (int tries = 0; done == 0 && tries < 1000; tries++)
    if ((done = wait4 (child, &status, WNOHANG, &ru)) == 0)
      nanosleep (&(struct timespec) { 0, 10 * 1000 * 1000 }, NULL);
  if (done == 0)
    {
      kill (child, SIGKILL);
      waitpid (child, &status, 0);
      return false;
    }
  *maxrss_kb = ru.ru_maxrss;
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

/* The cache files are only caches: a FIFO in place of the parsed-rules image or the pattern
   cache must not block the load (opening a FIFO for reading waits for a writer), and neither
   a device nor a huge sparse file in their place may make it read without end. */
static void
test_cache_special_files (void)
{
  char cache[4200], sub[4200], image[4600], patterns[4600];
  snprintf (cache, sizeof cache, "%s/scache", dir);
  snprintf (sub, sizeof sub, "%s/srules", dir);
  CHECK (mkdir (sub, 0700) == 0);
  setenv ("XDG_CACHE_HOME", cache, 1);
  unsetenv ("RITTBERGER_PATTERN_CACHE");
  const char *text = R ("ALPHA", "pattern /angebot/i\n");
  write_file ("srules/a.rules", text, strlen (text));
  long rss;
  CHECK (load_match_in_child (sub, &rss));
  snprintf (image, sizeof image, "%s", image_file (cache));
  CHECK (*image);
  snprintf (patterns, sizeof patterns, "%s", cache_file (cache, "patterns-"));
  CHECK (*patterns);

  /* FIFOs: the load goes on as if there were no cache. */
  CHECK (unlink (image) == 0 && mkfifo (image, 0600) == 0);
  CHECK (load_match_in_child (sub, &rss));
  CHECK (unlink (image) == 0);
  CHECK (unlink (patterns) == 0 && mkfifo (patterns, 0600) == 0);
  CHECK (load_match_in_child (sub, &rss));
  CHECK (unlink (patterns) == 0);

  /* A device that never ends, and a sparse file of 1 GiB: neither may take more memory than
     a load with a good image (the child's peak includes the pages it shares with this
     process). */
  long normal_rss = 0;
  CHECK (load_match_in_child (sub, &normal_rss));
  long most = normal_rss + (64 << 10);
#ifndef __SANITIZE_ADDRESS__
  /* (AddressSanitizer's allocator cannot work under a data limit.) */
  CHECK (unlink (image) == 0 && symlink ("/dev/zero", image) == 0);
  struct rlimit old_limit;
  CHECK (getrlimit (RLIMIT_DATA, &old_limit) == 0);
  /* A load reading /dev/zero until memory runs out must meet this limit, not the machine's. */
  struct rlimit limit = { 512 << 20, old_limit.rlim_max };
  bool limited = setrlimit (RLIMIT_DATA, &limit) == 0;
  bool ok = load_match_in_child (sub, &rss);
  if (limited)
    setrlimit (RLIMIT_DATA, &old_limit);
  CHECK (ok && rss < most);
#endif
  CHECK (unlink (image) == 0);
  int fd = open (image, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  CHECK (fd >= 0 && ftruncate (fd, (off_t) 1 << 30) == 0);
  if (fd >= 0)
    close (fd);
  bool sparse_ok = load_match_in_child (sub, &rss);
  if (!sparse_ok || rss >= most)
    fprintf (stderr, "a sparse image of 1 GiB: child %s, %ld KB (%ld KB with a good one)\n",
             sparse_ok ? "ok" : "failed", rss, normal_rss);
  CHECK (sparse_ok && rss < most);
  setenv ("RITTBERGER_PATTERN_CACHE", "off", 1);
}

/* How many temporary image files (rules-*.bin.PID) CACHE/rittberger holds. */
static int
image_temporaries (const char *cache)
{
  char sub[4300];
  snprintf (sub, sizeof sub, "%s/rittberger", cache);
  int n = 0;
  DIR *d = opendir (sub);
  struct dirent *e;
  while (d && (e = readdir (d)))
    n += strncmp (e->d_name, "rules-", 6) == 0 && strstr (e->d_name, ".bin.") != NULL;
  if (d)
    closedir (d);
  return n;
}

/* The image's temporary file exists only while the parsed image is written: a process that
   dies while it parses the rule files leaves none behind (here it is killed while it waits
   for a FIFO posing as a rule file to be written), nor does a directory with a bad file. */
static void
test_image_temporary (void)
{
  char cache[4200], sub[4200], fifo[4300], err[512];
  snprintf (cache, sizeof cache, "%s/tcache", dir);
  snprintf (sub, sizeof sub, "%s/trules", dir);
  snprintf (fifo, sizeof fifo, "%s/b.rules", sub);
  CHECK (mkdir (sub, 0700) == 0);
  setenv ("XDG_CACHE_HOME", cache, 1);
  unsetenv ("RITTBERGER_PATTERN_CACHE");
  write_file ("trules/a.rules", R ("ALPHA", ""), strlen (R ("ALPHA", "")));
  CHECK (mkfifo (fifo, 0600) == 0);

  fflush (NULL);
  pid_t child = fork ();
  if (child == 0)
    {
      alarm (20);               /* never outlive a parent that failed */
      struct ruleset rs = { 0 };
      rules_load_dir (&rs, sub, err, sizeof err);
      _exit (0);
    }
  CHECK (child > 0);
  /* Opening the FIFO for writing succeeds once the child has opened it to parse it. */
  int fd = -1;
  for (int tries = 0; child > 0 && fd < 0 && tries < 2000; tries++)
    if ((fd = open (fifo, O_WRONLY | O_NONBLOCK)) < 0)
      nanosleep (&(struct timespec) { 0, 10 * 1000 * 1000 }, NULL);
  CHECK (fd >= 0);
  CHECK (image_temporaries (cache) == 0);
  if (child > 0)
    {
      kill (child, SIGKILL);
      waitpid (child, NULL, 0);
    }
  if (fd >= 0)
    close (fd);
  CHECK (image_temporaries (cache) == 0);

  /* A bad file: an error, no image, and no temporary file either. */
  CHECK (unlink (fifo) == 0);
  write_file ("trules/b.rules", "rule X\nbogus 1\n", strlen ("rule X\nbogus 1\n"));
  char *got = load_dir_described (sub, err, sizeof err);
  CHECK (strstr (err, "b.rules:2: unknown key 'bogus'") != NULL);
  free (got);
  CHECK (image_temporaries (cache) == 0);
  CHECK (*image_file (cache) == '\0');

  /* Good files: the image is written, and its temporary file is gone. */
  write_file ("trules/b.rules", R ("BETA", ""), strlen (R ("BETA", "")));
  got = load_dir_described (sub, err, sizeof err);
  CHECK (got && strstr (got, "BETA|"));
  free (got);
  CHECK (*image_file (cache));
  CHECK (image_temporaries (cache) == 0);
  setenv ("RITTBERGER_PATTERN_CACHE", "off", 1);
}

/* Bytes this process has read with read() and its kin so far (/proc/self/io), or -1. */
static long long
bytes_read (void)
{
  FILE *f = fopen ("/proc/self/io", "r");
  long long n = -1;
  char line[128];
  while (f && fgets (line, sizeof line, f))
    if (sscanf (line, "rchar: %lld", &n) == 1)
      break;
  if (f)
    fclose (f);
  return n;
}

/* How many bytes loading the rules directory SUB reads (-1 if that cannot be told), its rules
   described into *GOT. */
static long long
load_dir_reading (const char *sub, char **got)
{
  char err[512];
  long long before = bytes_read ();
  *got = load_dir_described (sub, err, sizeof err);
  long long after = bytes_read ();
  return before < 0 || after < 0 ? -1 : after - before;
}

/* Wait until every time of file PATH is more than two seconds (the image's margin) past. */
static void
wait_until_settled (const char *path)
{
  struct stat st;
  if (stat (path, &st) < 0)
    return;
  for (;;)
    {
      struct timespec now;
      clock_gettime (CLOCK_REALTIME, &now);
      double age_m = (now.tv_sec - st.st_mtim.tv_sec) + (now.tv_nsec - st.st_mtim.tv_nsec) / 1e9;
      double age_c = (now.tv_sec - st.st_ctim.tv_sec) + (now.tv_nsec - st.st_ctim.tv_nsec) / 1e9;
      if (age_m > 2.1 && age_c > 2.1)
        return;
      nanosleep (&(struct timespec) { 0, 50 * 1000 * 1000 }, NULL);
    }
}

/* Set the modification time of PATH to that of ST (its change time becomes now). */
static bool
restore_mtime (const char *path, const struct stat *st)
{
  struct timespec times[2] = { st->st_atim, st->st_mtim };
  return utimensat (AT_FDCWD, path, times, 0) == 0;
}

/* Setup for test_rules_image_stat, done first so that its files are old by the time it runs. */
static void
make_stat_rules (void)
{
  char sub[4200];
  snprintf (sub, sizeof sub, "%s/mrules", dir);
  CHECK (mkdir (sub, 0700) == 0);
  /* a.rules is big, and so is its image (a long description), so that whether a load read
     either shows in the bytes read. */
  size_t size = 96 << 10;
  char *text = malloc (size + 1);
  if (!text)
    {
      unit_failures++;
      return;
    }
  const char *rule = "rule ALPHA\ntool t\nside sach\ndescribe-de Beschreibung A\ndescribe-en ";
  size_t len = strlen (rule);
  memcpy (text, rule, len);
  for (size_t i = 0; i < (32 << 10); i++)
    text[len++] = "abcdefgh"[i % 8];
  text[len++] = '\n';
  while (len + 64 < size)
    len += sprintf (text + len, "# a comment line to make the file big: %08zu\n", len);
  write_file ("mrules/a.rules", text, len);
  write_file ("mrules/b.rules", R ("BETA", ""), strlen (R ("BETA", "")));
  free (text);
}

/* A rule file whose stat data are as the parsed-rules image recorded them, and older than
   when it recorded them by more than the margin, is not read (the image used to be checked by
   reading and hashing every file), nor is the image (it is mapped); and every change is still noticed: an edit that restores
   the size and modification time (the change time moves), a new file renamed into place with
   the same size and time (its inode differs), and a racily clean file (changed within the
   margin of when the image was made: hashed on every load). */
static void
test_rules_image_stat (void)
{
  char cache[4200], sub[4200], path[4300], fresh[4300];
  snprintf (cache, sizeof cache, "%s/mcache", dir);
  snprintf (sub, sizeof sub, "%s/mrules", dir);
  snprintf (path, sizeof path, "%s/a.rules", sub);
  snprintf (fresh, sizeof fresh, "%s/a.new", sub);
  setenv ("XDG_CACHE_HOME", cache, 1);
  unsetenv ("RITTBERGER_PATTERN_CACHE");
  struct stat st;
  CHECK (stat (path, &st) == 0);
  long long big = st.st_size;
  bool can_count = bytes_read () >= 0;
  if (!can_count)
    fprintf (stderr, "no /proc/self/io: the bytes a load reads are not checked\n");
  wait_until_settled (path);
  char *parsed, *got;
  load_dir_reading (sub, &parsed);
  CHECK (parsed && strstr (parsed, "|Beschreibung A|"));
  CHECK (*image_file (cache));
  /* Neither a rule file nor the image (which is mapped, not read) is read. */
  long long n = load_dir_reading (sub, &got);
  CHECK_STR (got, parsed);
  CHECK (!can_count || n < 4096);
  free (got);

  /* Edited in place, same size, the modification time put back: the change time differs. */
  CHECK (patch_file (path, "Beschreibung A", "Beschreibung Z"));
  CHECK (restore_mtime (path, &st));
  n = load_dir_reading (sub, &got);
  CHECK (got && strstr (got, "|Beschreibung Z|"));
  free (got);
  /* The image made just now holds a racily clean a.rules: it is hashed, every time. */
  for (int i = 0; i < 2; i++)
    {
      n = load_dir_reading (sub, &got);
      CHECK (got && strstr (got, "|Beschreibung Z|"));
      CHECK (!can_count || n >= big);
      free (got);
    }

  /* A new file of the same size and time renamed over it. */
  FILE *f = fopen (path, "rb");
  char *text = malloc (big + 1);
  CHECK (f && text && fread (text, 1, big, f) == (size_t) big);
  if (f)
    fclose (f);
  char *at = text ? memmem (text, big, "Beschreibung Z", 14) : NULL;
  CHECK (at != NULL);
  if (at)
    {
      memcpy (at, "Beschreibung Y", 14);
      write_file ("mrules/a.new", text, big);
      CHECK (restore_mtime (fresh, &st) && rename (fresh, path) == 0);
      n = load_dir_reading (sub, &got);
      CHECK (got && strstr (got, "|Beschreibung Y|"));
      free (got);
    }
  free (text);

  /* Once the files are settled, a load that had to hash them records their stat data anew:
     the load after it reads nothing. */
  wait_until_settled (path);
  n = load_dir_reading (sub, &got);
  CHECK (got && strstr (got, "|Beschreibung Y|"));
  CHECK (!can_count || n >= big);
  free (got);
  n = load_dir_reading (sub, &got);
  CHECK (got && strstr (got, "|Beschreibung Y|"));
  CHECK (!can_count || n < 4096);
  free (got);
  free (parsed);
  setenv ("RITTBERGER_PATTERN_CACHE", "off", 1);
}

/* rules_image_stat_current on its own: each field must be equal, and both times settled
   (more than two seconds before the image was made). */
static void
test_image_stat_decision (void)
{
  const struct timespec started = { 1000, 500000000 };
  const struct rules_file_stat old = { 5, 77, 1234, 900, 1, 900, 2 };
  struct rules_file_stat now = old;
  CHECK (rules_image_stat_current (&old, &now, &started));
  now.dev++;
  CHECK (!rules_image_stat_current (&old, &now, &started));
  now = old;
  now.ino++;
  CHECK (!rules_image_stat_current (&old, &now, &started));
  now = old;
  now.size++;
  CHECK (!rules_image_stat_current (&old, &now, &started));
  now = old;
  now.mtime_nsec++;
  CHECK (!rules_image_stat_current (&old, &now, &started));
  now = old;
  now.ctime_sec++;
  CHECK (!rules_image_stat_current (&old, &now, &started));
  now = old;
  now.ctime_nsec++;
  CHECK (!rules_image_stat_current (&old, &now, &started));
  /* Racily clean: a time within two seconds before the start, or after it. */
  const int64_t times[][2] = { { 998, 400000000 }, { 997, 999999999 }, { 998, 500000000 },
    { 999, 0 }, { 1000, 600000000 }, { 5000, 0 } };
  const bool settled[] = { true, true, false, false, false, false };
  for (size_t i = 0; i < sizeof settled / sizeof *settled; i++)
    for (int which = 0; which < 2; which++)
      {
        struct rules_file_stat t = old;
        *(which ? &t.ctime_sec : &t.mtime_sec) = times[i][0];
        *(which ? &t.ctime_nsec : &t.mtime_nsec) = times[i][1];
        if (rules_image_stat_current (&t, &t, &started) != settled[i])
          {
            fprintf (stderr, "%s %lld.%09lld taken as %s\n", which ? "ctime" : "mtime",
                     (long long) times[i][0], (long long) times[i][1],
                     settled[i] ? "racy" : "settled");
            unit_failures++;
          }
      }
}

/* Whether file PATH holds exactly TEXT. */
static bool
file_holds (const char *path, const char *text)
{
  char buf[256];
  FILE *f = fopen (path, "rb");
  if (!f)
    return false;
  size_t n = fread (buf, 1, sizeof buf - 1, f);
  fclose (f);
  buf[n] = '\0';
  return strcmp (buf, text) == 0;
}

/* The temporary files the image and the pattern cache are written to are created anew: a
   symbolic link planted at such a name (say by another user, were the cache directory
   shared) is not followed, its target is left as it was, and the cache is still written. */
static void
test_temporary_not_followed (void)
{
  char cache[4200], sub[4200], victim[4300], image[4600], patterns[4600], planted[4700];
  snprintf (cache, sizeof cache, "%s/ycache", dir);
  snprintf (sub, sizeof sub, "%s/yrules", dir);
  snprintf (victim, sizeof victim, "%s/victim", dir);
  CHECK (mkdir (sub, 0700) == 0);
  setenv ("XDG_CACHE_HOME", cache, 1);
  unsetenv ("RITTBERGER_PATTERN_CACHE");
  const char *text = R ("ALPHA", "pattern /angebot/i\n");
  write_file ("yrules/a.rules", text, strlen (text));
  write_file ("victim", "keep me\n", 8);
  long rss;
  CHECK (load_match_in_child (sub, &rss));   /* makes both files: learn their names */
  snprintf (image, sizeof image, "%s", image_file (cache));
  CHECK (*image);
  snprintf (patterns, sizeof patterns, "%s", cache_file (cache, "patterns-"));
  CHECK (*patterns);

  /* Both removed, so that this process writes them anew, to PATH.<its pid> first. */
  const char *targets[] = { image, patterns };
  for (int k = 0; k < 2; k++)
    {
      snprintf (planted, sizeof planted, "%s.%ld", targets[k], (long) getpid ());
      CHECK (unlink (targets[k]) == 0 && symlink (victim, planted) == 0);
    }
  struct ruleset rs = { 0 };
  char err[512], got[256];
  CHECK (rules_load_dir (&rs, sub, err, sizeof err) == 0);
  run (&rs, "Ein Angebot für Sie.", got, sizeof got);
  CHECK_STR (got, "ALPHA");
  rules_free (&rs);
  CHECK (file_holds (victim, "keep me\n"));
  for (int k = 0; k < 2; k++)
    {
      struct stat st;
      CHECK (lstat (targets[k], &st) == 0 && S_ISREG (st.st_mode) && st.st_size > 0);
      snprintf (planted, sizeof planted, "%s.%ld", targets[k], (long) getpid ());
      CHECK (lstat (planted, &st) == 0 && S_ISLNK (st.st_mode));
      unlink (planted);
    }
  setenv ("RITTBERGER_PATTERN_CACHE", "off", 1);
}

/* The compiled-pattern cache is mapped, not read (in a mail hook it is read by every delivery,
   and a full one is a few hundred KB): using it reads none of its bytes.  Runs after
   test_temporary_not_followed, whose cache it uses. */
static void
test_pattern_cache_mapped (void)
{
  char cache[4200], sub[4200], patterns[4600];
  snprintf (cache, sizeof cache, "%s/ycache", dir);
  snprintf (sub, sizeof sub, "%s/yrules", dir);
  setenv ("XDG_CACHE_HOME", cache, 1);
  unsetenv ("RITTBERGER_PATTERN_CACHE");
  snprintf (patterns, sizeof patterns, "%s", cache_file (cache, "patterns-"));
  struct stat st;
  CHECK (*patterns && stat (patterns, &st) == 0);
  struct ruleset rs = { 0 };
  char err[512], got[256];
  CHECK (rules_load_dir (&rs, sub, err, sizeof err) == 0);
  long long before = bytes_read ();
  run (&rs, "Ein Angebot für Sie.", got, sizeof got);
  long long after = bytes_read ();
  CHECK_STR (got, "ALPHA");
  CHECK (rules_find (&rs, "ALPHA")->code != NULL);
  if (before >= 0 && after >= 0)
    CHECK (after - before < st.st_size);
  rules_free (&rs);
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
  make_stat_rules ();
  test_triggers ();
  test_prefilter ();
  test_pattern_cache ();
  test_rules_image ();
  test_rules_image_hash ();
  test_cache_special_files ();
  test_image_temporary ();
  test_rules_image_stat ();
  test_image_stat_decision ();
  test_temporary_not_followed ();
  test_pattern_cache_mapped ();
  test_repeated_sentences ();
  test_store_batch ();
  test_mapped_mbox ();
  char cmd[4200];
  snprintf (cmd, sizeof cmd, "rm -rf %s", dir);
  if (system (cmd) != 0)
    fprintf (stderr, "could not remove %s\n", dir);
  UNIT_EXIT ();
}
