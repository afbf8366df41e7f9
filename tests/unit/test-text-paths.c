/* test-text-paths.c: text_analyze's fast paths against its plain ones, on generated text. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

/* text.c built a second time with TEXT_PLAIN_PATHS takes none of its shortcuts: words one
   byte at a time, every word through the full loop, the direct-speech and phrase tests on
   every line.  The library's text_analyze takes them all.  Both must give the same words,
   sentences and masks for any input; the shortcuts only handle a subset (ASCII runs, single
   spaces, lines with a quotation mark, lines that start with a list's first letters), so the
   inputs below mix ASCII, Latin-1 letters, other UTF-8, invalid bytes, NUL, quotation marks,
   long runs and the phrases the masks look for. */
#define TEXT_PLAIN_PATHS 1
#define text_analyze plain_text_analyze
#define text_free plain_text_free
#define text_has_quoted plain_text_has_quoted
#include "../../lib/text.c"
#undef text_analyze
#undef text_free
#include "unit.h"

#include <stdio.h>

int text_analyze (struct text *t, const char *s, size_t len);
void text_free (struct text *t);

static uint64_t rng = 88172645463325252u;

static uint64_t
next_random (void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static const char *const pieces[] = {
  " ", "  ", "\n", "\n\n", "\t", ".", ". ", "! ", "? ", "...", "\xe2\x80\xa6", ",", ", ", ":", ": ",
  ";", "-", " - ", "\xe2\x80\x93", "\xe2\x80\x94", "'", "\xe2\x80\x99", "\xc2\xb4", "`", "\"",
  "\xe2\x80\x9e", "\xe2\x80\x9c", "\xe2\x80\x9d", "\xc2\xab", "\xc2\xbb", "\xe2\x80\x9a",
  "\xe2\x80\x98", "(", ")", "[", "]", "@", "_", "/", "://", "www.", ".de", ".com", "> ", "-- \n",
  "\xc2\xa0", "\xe2\x80\x89", "\xe3\x80\x80", "\xc3", "\x80", "\xff", "\xe2\x80", "\0",
  "\xc3\xa4", "\xc3\x84", "\xc3\x9f", "\xc3\xb6", "\xc3\x9c", "\xc3\xa9", "\xc3\x89", "\xc4\xb0",
  "\xc7\x85", "\xce\xa3", "\xcf\x82", "\xd0\xb4", "\xd0\x94", "\xe4\xb8\xad", "\xf0\x9f\x98\x8a",
  "\xcc\x88", "\xe2\x84\xaa", "1", "23", "2024", "10:15", "1.", "2)", "z.B.", "Dr.", "usw.",
  "Hallo", "hallo", "Hi", "du", "Du", "DU", "Sie", "hast's", "it's", "Don't", "geht`s", "E-Mail",
  " don't ", " I'm", " we'll.", " John's ", " IT'S", " DON'T ", " o'Brien,", " rock'n'roll ",
  " x'9", " 90's", " 9'a ", " can't-", " y'all'", " abcdefghijkl'mn ", " abc'defghijklmn ",
  "Du-Form", "Du- und Sie-Form", "und", "der", "the", "you", "Viele Gr\xc3\xbc\xc3\x9f" "e",
  "LG", "Danke!", "Best,", "Cheers", "Gru\xc3\x9f", "Am 1.2. schrieb X:", "wrote:",
  "Von: a\nGesendet: b\nAn: c\nBetreff: d\n", "From: a Sent: b To: c",
  "FROM: a\nSENT: b\nTO: c\n", "*Von:* a\n*Datum:* b\n*Betreff:* c\n", "-----Original Message-----",
  "```", "`code`", "    x = 1;", "$ ls -la",
  "Diese E-Mail enth\xc3\xa4lt vertrauliche Informationen",
  "http://example.com/a?b=c", "a@b.de", "@handle", "gbcc_eu", "example.org", "HALLO", "WeLt",
  "abcdefghijklmnop", "ABCDEFGHIJKLMNOP", "Stra\xc3\x9f" "e", "GR\xc3\x9c\xc3\x9f" "E", "x", "Q",
  "M\xc3\xa4r.", "t\xc3\xa4gl.", "gg\xc3\xbc.", "Dipl.-Ing.", "i.d.R.",
  ":)", ";-)", "\xe2\x80\xa2", "\xc2\xb7 ", "* ", "+ ", "\r\n", "Sehr geehrte Frau M\xc3\xbcller,",
};

/* A text of up to about 600 bytes made of the pieces above, random ASCII words and random bytes. */
static size_t
generate (char *buf, size_t cap)
{
  size_t n = 0, want = next_random () % 600;
  int mode = next_random () % 4;
  while (n < want)
    {
      char tmp[40];
      const char *p;
      size_t pl;
      uint64_t r = next_random ();
      if (mode == 0 || r % 3)
        {
          p = pieces[(r >> 8) % (sizeof pieces / sizeof *pieces)];
          pl = p[0] ? strlen (p) : 1;
        }
      else if (r % 3 == 0 && (r >> 4) % 2)
        {
          pl = 1 + (r >> 8) % 30;
          for (size_t i = 0; i < pl; i++)
            {
              uint64_t c = next_random ();
              tmp[i] = c % 5 == 0 ? 'A' + (c >> 8) % 26 : c % 17 == 0 ? '0' + (c >> 8) % 10
                : 'a' + (c >> 8) % 26;
            }
          p = tmp;
        }
      else
        {
          pl = 1 + (r >> 8) % 8;
          for (size_t i = 0; i < pl; i++)
            tmp[i] = (char) next_random ();
          p = tmp;
        }
      if (n + pl > cap)
        break;
      memcpy (buf + n, p, pl);
      n += pl;
    }
  return n;
}

/* Compare both analyses of S; report the first difference. */
static bool
same_analysis (const char *s, size_t len)
{
  struct text a, b;
  int ra = plain_text_analyze (&a, s, len), rb = text_analyze (&b, s, len);
  if (ra != 0 || rb != 0)
    {
      if (ra == 0)
        plain_text_free (&a);
      if (rb == 0)
        text_free (&b);
      return ra == rb;
    }
  bool ok = a.ntok == b.ntok && a.nsent == b.nsent && a.all_lower == b.all_lower
    && (len == 0 || memcmp (a.mask, b.mask, len) == 0);
  for (size_t i = 0; ok && i < a.ntok; i++)
    {
      const struct text_token *x = &a.tok[i], *y = &b.tok[i];
      ok = x->off == y->off && x->len == y->len && x->sentence == y->sentence
        && x->flags == y->flags && x->mask == y->mask && x->punct_before == y->punct_before
        && strcmp (a.lower + x->lower_off, b.lower + y->lower_off) == 0;
    }
  for (size_t i = 0; ok && i < a.nsent; i++)
    {
      const struct text_sentence *x = &a.sent[i], *y = &b.sent[i];
      ok = x->off == y->off && x->end == y->end && x->first_tok == y->first_tok
        && x->ntok == y->ntok && x->flags == y->flags;
    }
  plain_text_free (&a);
  text_free (&b);
  return ok;
}

static void
report (const char *s, size_t len)
{
  fprintf (stderr, "fast and plain paths differ on %zu bytes:\n", len);
  for (size_t i = 0; i < len; i++)
    fprintf (stderr, (unsigned char) s[i] >= 0x20 && (unsigned char) s[i] < 0x7F ? "%c" : "\\x%02x",
             (unsigned char) s[i]);
  fputc ('\n', stderr);
}

/* Whether same_analysis holds for the N bytes at BUF, copied to a block of exactly N bytes so
   that reading past the end is caught by the sanitizers; a text where it fails is reported.
   (Without memory there is nothing to compare: true.) */
static bool
copy_analysed_alike (const char *buf, size_t n)
{
  char *s = malloc (n ? n : 1);
  if (!s)
    return true;
  memcpy (s, buf, n);
  bool same = same_analysis (s, n);
  if (!same)
    report (s, n);
  free (s);
  return same;
}

/* Add the first two letters of WORD (both must be small ASCII letters) to SET.  */
static void
add_first_two (uint32_t set[26], const char *word)
{
  CHECK (word[0] >= 'a' && word[0] <= 'z' && word[1] >= 'a' && word[1] <= 'z');
  if (word[0] >= 'a' && word[0] <= 'z' && word[1] >= 'a' && word[1] <= 'z')
    set[word[0] - 'a'] |= LETTER_BIT (word[1]);
}

/* The byte table must say what the comparisons it replaces say, and the letter sets the
   phrase tests pass lines over with must hold exactly the letters their lists start with. */
static void
test_letter_sets (void)
{
  for (unsigned b = 0; b < 256; b++)
    {
      CHECK (is_space (b) == (b == ' ' || b == '\t' || b == '\n' || b == '\v' || b == '\f'
                              || b == '\r'));
      CHECK (is_ascii_alnum (b) == ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')
                                    || (b >= '0' && b <= '9')));
      /* the fast path's word ends: what its plain test let through */
      CHECK (ends_ascii_word[b] == (b < 0x80 && !is_ascii_alnum (b) && b != '\'' && b != '`'
                                    && b != '-'));
    }
  uint32_t closing[26] = { 0 };
  for (int k = 0; k < 2; k++)
    for (const char *const *w = k ? closing_alone : closing_words; *w; w++)
      {
        CHECK ((*w)[0] >= 'a' && (*w)[0] <= 'z' && (*w)[1] >= 'a' && (*w)[1] <= 'z');
        closing[(*w)[0] - 'a'] |= LETTER_BIT ((*w)[1]);
      }
  for (int i = 0; i < 26; i++)
    CHECK (closing_first_two[i] == closing[i]);
  uint32_t fields[26] = { 0 };
  for (size_t i = 0; i < sizeof quoted_header_fields / sizeof *quoted_header_fields; i++)
    {
      const char *w = quoted_header_fields[i].name;
      CHECK (w[0] >= 'a' && w[0] <= 'z' && w[1] >= 'a' && w[1] <= 'z');
      fields[w[0] - 'a'] |= LETTER_BIT (w[1]);
    }
  for (int i = 0; i < 26; i++)
    CHECK (header_first_two[i] == fields[i]);
  uint32_t abbrev[26] = { 0 };
  for (size_t i = 0; i < sizeof abbreviations / sizeof *abbreviations; i++)
    {
      const char *w = abbreviations[i];
      unsigned char c = w[1];
      CHECK (w[0] >= 'a' && w[0] <= 'z' && c != '\0');
      abbrev[w[0] - 'a'] |= c >= 'a' && c <= 'z' ? LETTER_BIT (c) : c == '.' ? ABBREV_DOT
        : c >= 0x80 ? ABBREV_HIGH : UINT32_C (1) << 31;
    }
  for (int i = 0; i < 26; i++)
    CHECK (abbreviation_first_two[i] == abbrev[i]);
  /* compute_masks asks a line only the tests whose phrases can start with its first two
     letters */
  uint32_t separator[26] = { 0 }, intro[26] = { 0 }, disclaimer[26] = { 0 };
  for (size_t i = 0; i < sizeof separator_phrases / sizeof *separator_phrases; i++)
    add_first_two (separator, separator_phrases[i].phrase);
  for (const char *const *w = date_intros; *w; w++)
    add_first_two (intro, *w);
  for (const char *const *w = disclaimer_headings; *w; w++)
    add_first_two (disclaimer, *w);
  for (const char *const *w = disclaimer_openings; *w; w++)
    add_first_two (disclaimer, *w);
  for (int i = 0; i < 26; i++)
    {
      CHECK (separator_first_two[i] == separator[i]);
      CHECK (date_intro_first_two[i] == intro[i]);
      CHECK (disclaimer_first_two[i] == disclaimer[i]);
      CHECK (line_test_first_two[i]
             == (separator[i] | intro[i] | disclaimer[i] | header_first_two[i]));
    }
}

static void
test_generated (void)
{
  static char buf[4096];
  size_t failures = 0;
  for (int i = 0; i < 40000 && failures < 3; i++)
    {
      size_t len = generate (buf, sizeof buf);
      failures += !copy_analysed_alike (buf, len);
    }
  CHECK (failures == 0);
}

/* Long runs: words and lines longer than the eight and sixteen bytes the scans take at once. */
static void
test_long_runs (void)
{
  static const char *const runs[] = {
    "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789012345",
    "aBcDeFgHiJkLmNoP", "a\xc3\xa4" "bcdefghijklmn", "\"zitat zitat zitat zitat\"",
    "           ", "...............", "\xe2\x80\x9e" "lang lang lang lang" "\xe2\x80\x9c",
  };
  char buf[512];
  for (size_t a = 0; a < sizeof runs / sizeof *runs; a++)
    for (size_t b = 0; b < sizeof runs / sizeof *runs; b++)
      for (size_t cut = 0; cut < 24; cut++)
        {
          size_t n = snprintf (buf, sizeof buf, "%s %s\n%s, %s", runs[a], runs[b], runs[b],
                               runs[a]);
          if (cut < n)
            n -= cut;
          char *s = malloc (n);
          if (!s)
            {
              unit_failures++;
              return;
            }
          memcpy (s, buf, n);
          if (!same_analysis (s, n))
            {
              report (s, n);
              unit_failures++;
            }
          free (s);
        }
}

/* Paragraphs of indented lines, for the code mask: lines long enough for the sixteen-byte
   scan for code signals, the signals at every place in it (first byte, a block's end, the
   line's end), inside URLs (which do not count) and in lines that end like prose, in
   paragraphs of one to eight lines.  */
static void
test_indented_code (void)
{
  static const char *const bits[] = {
    "x", "foo", "the", "word", " ", "  ", "{", "}", "$", "$(", "${", "$_", "$A", "$a", "=", "==",
    "a=", "!=", "+=", "<=", "= ", "/", " /usr", "./a", "~/b", "/.", "-", "--", " --all", "--x",
    "(", "()", ":", "::", "a::", "&", "&&", "|", "||", "#", "#!", "#include", "#Include", ";",
    "\\", ".", ",", "!", "?", "http://ex.com/a=b{c}", "www.a.de/x--y", "a@b.de", "\t",
    "\xc3\xa4", "\xe2\x80\x9e", "\xff", "\r", "`", "0123456789abcdef", "a b c d e",
  };
  char buf[2048];
  size_t failures = 0;
  for (int round = 0; round < 30000 && failures < 3; round++)
    {
      size_t n = 0, lines = 1 + next_random () % 8;
      for (size_t l = 0; l < lines; l++)
        {
          uint64_t r = next_random ();
          const char *indent = r % 4 == 0 ? "\t" : r % 4 == 1 ? "    " : r % 4 == 2 ? "      "
            : r % 16 == 3 ? "" : "  ";
          n += (size_t) snprintf (buf + n, sizeof buf - n, "%s", indent);
          size_t parts = (r >> 8) % 24;
          for (size_t k = 0; k < parts && n + 40 < sizeof buf; k++)
            {
              const char *b = bits[next_random () % (sizeof bits / sizeof *bits)];
              memcpy (buf + n, b, strlen (b));
              n += strlen (b);
            }
          static const char *const ends[] = { "", ".", "!", ",", ";", "{", "}", " ", "?" };
          const char *e = ends[(r >> 16) % (sizeof ends / sizeof *ends)];
          memcpy (buf + n, e, strlen (e));
          n += strlen (e);
          if (l + 1 < lines || (r >> 24) % 2)
            buf[n++] = (r >> 28) % 5 == 0 ? '\r' : '\n';
          if ((r >> 28) % 5 == 0 && l + 1 < lines)
            buf[n++] = '\n';
          if (n + 200 > sizeof buf)
            break;
        }
      failures += !copy_analysed_alike (buf, n);
    }
  CHECK (failures == 0);
}

/* The phrases found anywhere in a line (a reply header's "schrieb", a disclaimer's
   "vertraulich") in capitals, small letters and mixed, at every place of a sixteen-byte
   step, with the line ending just after them or well after.  */
static void
test_phrase_cases (void)
{
  static const char *const lines[] = {
    "Am 1. Mai 2024 um 10:15 %sschrieb Max <max@example.de>:\nHallo,\nwie geht es?\n",
    "On Mon, 1 May 2024, %sBob wrote:\n\nhi there\n",
    "Am Montag %sschreibt Eva:\n\nText\n", "Le lundi %sMarie a \xc3\xa9" "crit :\n\nsalut\n",
    "Hallo,\n\nDiese E-Mail %sist vertraulich und nur f\xc3\xbcr Sie.\nMehr Text hier.\n",
    "Hi,\n\nThis message %sis meant for the intended recipient only.\n",
    "Text.\n\nIf you %sreceived this by mistake: it is PRIVILEGED and confidential\n",
    "Text.\n\nWenn Sie %snicht der richtige Adressat sind, l\xc3\xb6schen Sie sie.\n",
  };
  char pad[40], buf[512];
  size_t failures = 0;
  for (size_t t = 0; t < sizeof lines / sizeof *lines; t++)
    for (size_t p = 0; p < 20; p++)
      for (int round = 0; round < 40 && failures < 3; round++)
        {
          memset (pad, 'x', p);
          pad[p] = '\0';
          if (p > 0)
            pad[p - 1] = ' ';
          size_t n = (size_t) snprintf (buf, sizeof buf, lines[t], pad);
          /* every letter small, capital or either at random */
          for (size_t i = 0; i < n; i++)
            {
              uint64_t r = next_random () % 3;
              if (r == 1 && buf[i] >= 'a' && buf[i] <= 'z')
                buf[i] -= 'a' - 'A';
              else if (r == 2 && buf[i] >= 'A' && buf[i] <= 'Z')
                buf[i] += 'a' - 'A';
            }
          failures += !copy_analysed_alike (buf, n);
        }
  CHECK (failures == 0);
}

/* Marks glued to a word, then white space, then a word ("(Preis)\n", "Danke,\n\nich",
   "Hinweis:\n> Text", "x);  y", "Zitat\" und"), a mark between white space and a word
   ("(siehe", "\n\"Zitat"), marks between words ("f(x)", "a=\"b") and marks between white
   space (" - ", " -- "): the fast path reads such gaps as scan_gap does.  Lines short
   and long (a hard-wrapped line ends a sentence only when short), next words upper and lower
   case, digits before ')' (list numbers), smileys and terminators among the marks (left to
   the full loop), and a greeting line.  */
static void
test_marks_before_white (void)
{
  static const char *const words[] = {
    "Preis", "danke", "Hallo Anna", "x", "12", "3", "Liebe", "www", "ok", "Best",
  };
  static const char *const marks[] = {
    ")", ",", ";", ":", ">", "]", "=", "*", "),", ");", "):", ":)", ";)", "!)", ").", "?,",
    ",,", "%", "/", "+", "&", "\\", "}", "#", "_", "~", "|", "^", "$", "@", ".)", ":-",
    "", "", "", "", "", "", "", "", "\"", "(", "\")", "[", "<", "{", "=\"", "\",", "(\"", "\".",
  };
  static const char *const gaps[] = {
    " ", "  ", "\n", "\n\n", " \n", "\n> ", "\n>> ", "\t", "\n \n", "\r\n", "\n>\n", "", "",
  };
  static const char *const next[] = { "Text", "text", "1", "2024", "Du", "und", "ABC", "\xc3\x9c" "ber" };
  /* a mark between the white space and the next word ("(siehe", "\"Zitat"), or none */
  static const char *const leads[] = {
    "", "", "", "", "(", "\"", "[", "<", "{", ":", "-", "*", "+", "$", "_", "#", "&", "|", "/",
    "@", "=", "%", "~", "^", "\\", ";", ",", ")", "]", "}", ">", "'", "`", ".", "!", "?", "((",
    "\xc2\xab", "\xe2\x80\x9e", "- ", "* ",
  };
  static const char *const ends[] = { "", " ", "\n", "\n  ", "\n\n" };
  /* marks with white space before them, in place of the glued ones */
  static const char *const spaced[] = {
    " -", " --", " |", " *", " **", " =", " =>", " :", " -)", " :)", " :-)", " ->", " <", " &",
    " ...", " !", " ?", " '", " `", " #", " \"", " (", " +", " /", " ,", " ;", "  -", "\t-",
    " \xe2\x80\x93", " -.", " --------", " ---------", " _", " ~", " )",
  };
  char buf[512];
  size_t failures = 0;
  for (int i = 0; i < 80000 && failures < 3; i++)
    {
      size_t n = 0;
      /* a line of filler first: short or long */
      size_t fill = next_random () % 3 == 0 ? 70 : next_random () % 20;
      for (size_t f = 0; f < fill; f++)
        buf[n++] = f % 6 == 5 ? ' ' : 'a' + f % 26;
      if (n)
        buf[n++] = ' ';
      for (int part = 0; part < 3; part++)
        {
          n += snprintf (buf + n, sizeof buf - n, "%s%s%s%s%s%s",
                         words[next_random () % (sizeof words / sizeof *words)],
                         next_random () % 3 == 0
                         ? spaced[next_random () % (sizeof spaced / sizeof *spaced)]
                         : marks[next_random () % (sizeof marks / sizeof *marks)],
                         gaps[next_random () % (sizeof gaps / sizeof *gaps)],
                         leads[next_random () % (sizeof leads / sizeof *leads)],
                         next[next_random () % (sizeof next / sizeof *next)],
                         ends[next_random () % (sizeof ends / sizeof *ends)]);
        }
      failures += !copy_analysed_alike (buf, n);
    }
  CHECK (failures == 0);
}

/* A full stop after white space and a chunk of letters: the fast path decides such a dot
   without chunk_before when the chunk is ASCII letters alone.  Chunks from the abbreviation
   list (a few with dots or bytes above ASCII) in random case, runs of one to thirty letters,
   some with a digit or a letter above ASCII inside, after white space, marks, digits or a
   no-break space, at every offset from the text's start (the letters before a dot are found
   sixteen bytes at once), before the next word in either case, a number or a month.  */
static void
test_dot_chunks (void)
{
  static const char *const before[] = {
    " ", " ", " ", "\n", "\t", "\r\n", "(", "\"", "1", "x1", "\xc2\xa0", "\xc3\xa4", "-", "'",
    ".", "\n> ", "((", "\xe2\x80\x9e",
  };
  static const char *const after[] = { ". ", ". ", ".\n", ". \n\n", ".\n> ", ".  " };
  static const char *const next[] = { "Dann", "dann", "2024", "Mai", "ich", "Du", "\xc3\x9c" "ber" };
  const size_t nabbrev = sizeof abbreviations / sizeof *abbreviations;
  char buf[512];
  size_t failures = 0;
  for (int i = 0; i < 60000 && failures < 3; i++)
    {
      size_t n = 0;
      size_t fill = next_random () % 40;
      for (size_t f = 0; f < fill; f++)
        buf[n++] = f % 7 == 6 ? ' ' : 'a' + (f * 5 + i) % 26;
      for (int part = 0; part < 3; part++)
        {
          if (n || next_random () % 4)
            n += snprintf (buf + n, sizeof buf - n, "%s",
                           before[next_random () % (sizeof before / sizeof *before)]);
          uint64_t r = next_random ();
          if (r % 2)
            {
              /* an abbreviation, in random case (its ASCII letters only) */
              const char *w = abbreviations[(r >> 8) % nabbrev];
              for (size_t q = 0; w[q]; q++)
                buf[n++] = w[q] >= 'a' && w[q] <= 'z' && (r >> (16 + q)) % 2 ? w[q] - 'a' + 'A' : w[q];
            }
          else
            {
              size_t k = 1 + (r >> 8) % 30;
              for (size_t q = 0; q < k; q++)
                {
                  uint64_t c = next_random ();
                  buf[n++] = (c % 2 ? 'a' : 'A') + (c >> 8) % 26;
                }
              /* now and then a byte that is no ASCII letter inside */
              if ((r >> 16) % 5 == 0)
                buf[n - 1 - (r >> 24) % k] = (r >> 32) % 2 ? '7' : '\xc3';
            }
          n += snprintf (buf + n, sizeof buf - n, "%s%s",
                         after[next_random () % (sizeof after / sizeof *after)],
                         next[next_random () % (sizeof next / sizeof *next)]);
        }
      failures += !copy_analysed_alike (buf, n);
    }
  CHECK (failures == 0);
}

/* Greeting lines and sentences of 40 to 90 bytes, around the 60 characters a greeting may
   have: a few long names after the greeting word, of ASCII letters and of letters that take
   two or three bytes ("\xc3\xa4", "\xe1\xba\x9e"), so that byte and character counts fall on
   either side of 60.  The fast path counts the characters only past 60 bytes.  */
static void
test_greeting_lengths (void)
{
  static const char *const greetings[] = { "Hallo", "Sehr geehrte", "Hi", "Liebe", "Guten Tag" };
  static const char *const letters[] = { "a", "e", "n", "R", "\xc3\xa4", "\xc3\x9c", "\xe1\xba\x9e" };
  const size_t ascii_letters = 4, all_letters = sizeof letters / sizeof *letters;
  static const char *const ends[] = { ",", "", "!", ".", " ", ":" };
  static const char *const rest[] = { "\n\nDanke f\xc3\xbcr alles.\n", " Wie geht es dir?", "\nText" };
  char buf[256];
  size_t failures = 0;
  for (int i = 0; i < 20000 && failures < 3; i++)
    {
      size_t n = (size_t) snprintf (buf, sizeof buf, "%s",
                                    greetings[next_random () % (sizeof greetings / sizeof *greetings)]);
      size_t want = 40 + next_random () % 51;
      int names = 1 + next_random () % 4;
      /* none, some or many letters above ASCII: one in 1, 2, 8 or 64 */
      static const unsigned odds[] = { 1, 2, 8, 64 };
      unsigned wide_odds = odds[next_random () % 4];
      /* the names share the bytes up to WANT */
      for (int k = 0; k < names && n < want; k++)
        {
          buf[n++] = ' ';
          size_t until = n + (want - n) / (names - k);
          while (n < until)
            {
              uint64_t r = next_random ();
              const char *l = r % wide_odds ? letters[(r >> 8) % ascii_letters]
                : letters[ascii_letters + (r >> 8) % (all_letters - ascii_letters)];
              size_t ll = strlen (l);
              memcpy (buf + n, l, ll);
              n += ll;
            }
        }
      n += snprintf (buf + n, sizeof buf - n, "%s%s",
                     ends[next_random () % (sizeof ends / sizeof *ends)],
                     rest[next_random () % (sizeof rest / sizeof *rest)]);
      failures += !copy_analysed_alike (buf, n);
    }
  CHECK (failures == 0);
}

int
main (void)
{
  test_phrase_cases ();
  test_letter_sets ();
  test_long_runs ();
  test_indented_code ();
  test_marks_before_white ();
  test_dot_chunks ();
  test_greeting_lengths ();
  test_generated ();
  UNIT_EXIT ();
}
