/* test-lang.c: the language guess, and the order of its word table that the search relies on. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

/* The table is private to lang.c; including the source lets the test see it.  The library's
   lang.o is then not linked: this object already defines lang_guess. */
#include "../../lib/lang.c"
#include "unit.h"

static const char *
guess (const char *s, size_t sentence)
{
  struct text t;
  if (text_analyze (&t, s, strlen (s)) < 0)
    return "ENOMEM";
  const char *g = lang_guess (&t, sentence);
  text_free (&t);
  return g ? g : "undecided";
}

/* The plain way to look a word up: compare it with every entry. */
static char
reference_lang (const char *w)
{
  for (size_t i = 0; i < sizeof function_words / sizeof *function_words; i++)
    if (strcmp (w, function_words[i].word) == 0)
      return function_words[i].lang;
  return 0;
}

/* The plain way to find a German letter: look at every byte pair. */
static bool
reference_german_letter (const char *w)
{
  for (size_t i = 0; w[i] && w[i + 1]; i++)
    if ((unsigned char) w[i] == 0xC3
        && ((unsigned char) w[i + 1] == 0xA4 || (unsigned char) w[i + 1] == 0xB6
            || (unsigned char) w[i + 1] == 0xBC || (unsigned char) w[i + 1] == 0x9F))
      return true;
  return false;
}

static char
reference_word_lang (const char *w)
{
  char lang = reference_lang (w);
  return lang ? lang : reference_german_letter (w) ? 'd' : 0;
}

/* word_lang and lower_word_lang search numbers made of a word's bytes: they must agree with
   strcmp and a byte-pair scan on every table word, every prefix and extension of one, and many
   other byte strings (high bytes included, where a signed comparison would go wrong).
   lower_word_lang reads eight bytes at once, past the word's NUL, as text.lower allows: the
   bytes after the NUL (the next words there) must not matter, so they are random here. */
/* Copy W into BUF (64 bytes) as text.lower holds it: NUL-terminated, then bytes from the
   generator *NOISE, standing for the next words; return W's length. */
static size_t
pad_as_lower (char buf[64], const char *w, uint32_t *noise)
{
  size_t n = strlen (w);
  memcpy (buf, w, n + 1);
  for (size_t i = n + 1; i < 64; i++)
    {
      *noise = *noise * 1103515245u + 12345u;
      buf[i] = (char) (*noise >> 16);
    }
  return n;
}

static char
padded_lang (const char *w)
{
  static uint32_t noise = 99;
  char buf[64];
  pad_as_lower (buf, w, &noise);
  return lower_word_lang (buf);
}

static char
function_word_lang (const char *w)
{
  char lang = word_lang (w);
  return lang == padded_lang (w) ? lang : '?';
}
static void
test_lookup_matches_reference (void)
{
  static const char alphabet[] = "abcdehinorstuwyz\xc3\xa4\xb6\xbc\x84\x9f\x80\xff";
  size_t n = sizeof function_words / sizeof *function_words;
  char w[32];
  for (size_t i = 0; i < n; i++)
    {
      size_t len = strlen (function_words[i].word);
      for (size_t k = 0; k <= len; k++)
        {
          memcpy (w, function_words[i].word, k);
          w[k] = '\0';
          CHECK (word_lang (w) == reference_word_lang (w));
          CHECK (padded_lang (w) == reference_word_lang (w));
          for (size_t a = 0; a < sizeof alphabet - 1; a++)
            {
              w[k] = alphabet[a];
              memcpy (w + k + 1, function_words[i].word + k, len - k + 1);
              CHECK (word_lang (w) == reference_word_lang (w));
              CHECK (padded_lang (w) == reference_word_lang (w));
            }
        }
    }
  uint32_t state = 12345;
  size_t agreed = 0, found = 0, german = 0;
  for (int i = 0; i < 200000; i++)
    {
      state = state * 1103515245u + 12345u;
      size_t len = (state >> 8) % 21;     /* (past the second block of eight bytes) */
      for (size_t k = 0; k < len; k++)
        {
          state = state * 1103515245u + 12345u;
          w[k] = alphabet[(state >> 16) % (sizeof alphabet - 1)];
        }
      w[len] = '\0';
      char want = reference_lang (w);
      char want_word = reference_word_lang (w);
      agreed += word_lang (w) == want_word && padded_lang (w) == want_word;
      found += want != 0;
      german += want == 0 && want_word == 'd';
    }
  CHECK (agreed == 200000);
  CHECK (found > 100);          /* the generator does hit table words */
  CHECK (german > 100);         /* and German letters outside them */
}

/* lang_guess's verdict G as lang_word_evidence spells it: 'd', 'e' or 0. */
static char
verdict_letter (const char *g)
{
  return !g ? 0 : strcmp (g, "de") == 0 ? 'd' : 'e';
}

/* lang_guess's verdict on a text whose only word is W as it stands in text.lower (random bytes
   after its NUL, as the next words there would be): 'd', 'e' or 0. */
static char
one_word_guess (const char *w)
{
  static uint32_t noise = 7;
  char buf[64];
  size_t n = pad_as_lower (buf, w, &noise);
  struct text_token tok = { .off = 0, .len = (uint32_t) n, .lower_off = 0 };
  struct text one = { .s = buf, .len = n, .tok = &tok, .ntok = 1, .lower = buf };
  return verdict_letter (lang_guess (&one, LANG_WHOLE_TEXT));
}

/* Whether lang_word_evidence gives for W (as is, and as text_analyze lower-cases it) what
   lang_guess counts for it: the rule engine's word cache takes a word's language from the
   one and must reach the other's verdicts. */
static bool
evidence_agrees (const char *w)
{
  char buf[64];
  size_t n = strlen (w);
  memcpy (buf, w, n + 1);
  memset (buf + n + 1, 'x', sizeof buf - n - 1);        /* the padding must not matter */
  if (lang_word_evidence (buf) != one_word_guess (w))
    return false;
  struct text t;
  if (text_analyze (&t, w, n) < 0)
    return false;
  bool ok = true;
  if (t.ntok == 1)
    {
      ok = lang_word_evidence (text_lower (&t, 0))
           == verdict_letter (lang_guess (&t, LANG_WHOLE_TEXT));
    }
  text_free (&t);
  return ok;
}

/* lang_word_evidence against lang_guess: every function word, its case variants, prefixes and
   near misses, and random words of ASCII letters, German letters, other UTF-8 and stray high
   bytes. */
static void
test_word_evidence (void)
{
  size_t n = sizeof function_words / sizeof *function_words;
  size_t checked = 0, agreed = 0, evidence = 0;
  char w[32];
  for (size_t i = 0; i < n; i++)
    {
      const char *f = function_words[i].word;
      size_t len = strlen (f);
      CHECK (lang_word_evidence (f) == function_words[i].lang);
      for (int variant = 0; variant < 4; variant++)
        {
          /* as is, capitalised, upper case, every other letter upper case */
          for (size_t k = 0; k <= len; k++)
            w[k] = (char) (variant == 2 || (variant == 1 && k == 0) || (variant == 3 && k % 2)
                           ? (f[k] >= 'a' && f[k] <= 'z' ? f[k] - 'a' + 'A' : f[k]) : f[k]);
          checked++;
          agreed += evidence_agrees (w);
          evidence += strcmp (w, f) != 0 && one_word_guess (w) != 0;
        }
      static const char *const tails[] = { "s", "x", "\xc3\xa4", "\xc3\x84", "'", "1" };
      for (size_t t = 0; t < sizeof tails / sizeof *tails; t++)
        {
          snprintf (w, sizeof w, "%s%s", f, tails[t]);
          checked++;
          agreed += evidence_agrees (w);
          snprintf (w, sizeof w, "%s%s", tails[t], f);
          checked++;
          agreed += evidence_agrees (w);
        }
      for (size_t k = 0; k < len; k++)
        {
          memcpy (w, f, len + 1);
          w[k] = '\0';                  /* a prefix */
          checked++;
          agreed += evidence_agrees (w);
          memcpy (w, f, len + 1);
          w[k] = (char) (w[k] == 'z' ? 'a' : w[k] + 1);        /* one letter off */
          checked++;
          agreed += evidence_agrees (w);
        }
    }
  static const char *const pieces[] = { "a", "d", "e", "i", "n", "r", "s", "t", "u", "h", "w",
                                        "D", "E", "\xc3\xa4", "\xc3\xb6", "\xc3\xbc",
                                        "\xc3\x9f", "\xc3\x96", "\xc3\xa9", "\xe2\x82\xac",
                                        "\xc3", "\x80", "\xff", "-" };
  uint32_t state = 4242;
  size_t random_evidence = 0;
  for (int i = 0; i < 50000; i++)
    {
      state = state * 1103515245u + 12345u;
      size_t count = (state >> 8) % 9, used = 0;
      for (size_t k = 0; k < count; k++)
        {
          state = state * 1103515245u + 12345u;
          const char *p = pieces[(state >> 16) % (sizeof pieces / sizeof *pieces)];
          size_t pl = strlen (p);
          memcpy (w + used, p, pl);
          used += pl;
        }
      w[used] = '\0';
      checked++;
      agreed += evidence_agrees (w);
      random_evidence += one_word_guess (w) != 0;
    }
  CHECK (agreed == checked);
  CHECK (evidence == 0);        /* lang_guess reads text.lower: "DER" is no word of it */
  CHECK (random_evidence > 1000);       /* the random words do hit evidence */
}

int
main (void)
{
  test_lookup_matches_reference ();
  test_word_evidence ();
  size_t n = sizeof function_words / sizeof *function_words;
  for (size_t i = 0; i < n; i++)
    {
      const struct function_word *f = &function_words[i];
      /* A word out of order, too long or untagged would be silently missed by the search. */
      CHECK (i == 0 || strcmp (function_words[i - 1].word, f->word) < 0);
      CHECK (strlen (f->word) <= FUNCTION_WORD_MAX);
      CHECK (f->lang == 'd' || f->lang == 'e');
      CHECK (function_word_lang (f->word) == f->lang);
      /* Each word is made of letters and lies in its first two bytes' range, which the search
         relies on. */
      for (size_t k = 0; f->word[k]; k++)
        CHECK (f->word[k] >= 'a' && f->word[k] <= 'z');
      size_t pair = PAIR_SECONDS * (f->word[0] - 'a') + (f->word[1] ? f->word[1] - 'a' + 1 : 0);
      CHECK (pair_start[pair] <= i && i < pair_start[pair + 1]);
      /* The padding entry_key reads is zero. */
      for (size_t k = strlen (f->word); k < sizeof f->word; k++)
        CHECK (f->word[k] == '\0');
    }
  size_t npairs = sizeof pair_start / sizeof *pair_start - 1;
  CHECK (npairs == 26 * PAIR_SECONDS);
  CHECK (pair_start[0] == 0 && pair_start[npairs] == n);
  for (size_t c = 0; c < npairs; c++)
    CHECK (pair_start[c] <= pair_start[c + 1]);
  CHECK (function_word_lang ("") == 0);
  CHECK (function_word_lang ("dass") == 'd');
  CHECK (function_word_lang ("das") == 'd');
  CHECK (function_word_lang ("da") == 0);
  CHECK (function_word_lang ("deinenx") == 0);
  CHECK (function_word_lang ("zzz") == 0);
  CHECK (function_word_lang ("\xc3\xa4") == 'd');   /* no function word, but a German letter */

  CHECK_STR (guess ("Ich habe eine kurze Frage an dich.", 0), "de");
  CHECK_STR (guess ("Could you send me the file, please?", 0), "en");
  CHECK_STR (guess ("Grüße", 0), "de");
  CHECK_STR (guess ("Meeting 10:30", 0), "undecided");
  CHECK_STR (guess ("Hello. Ich bin es, und wir sind hier.", LANG_WHOLE_TEXT), "de");
  CHECK_STR (guess ("Hello.", 5), "undecided");
  UNIT_EXIT ();
}
