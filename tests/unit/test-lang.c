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
static char
padded_lang (const char *w)
{
  static uint32_t noise = 99;
  char buf[64];
  size_t n = strlen (w);
  memcpy (buf, w, n + 1);
  for (size_t i = n + 1; i < sizeof buf; i++)
    {
      noise = noise * 1103515245u + 12345u;
      buf[i] = (char) (noise >> 16);
    }
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

int
main (void)
{
  test_lookup_matches_reference ();
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
