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

int
main (void)
{
  size_t n = sizeof function_words / sizeof *function_words;
  for (size_t i = 0; i < n; i++)
    {
      const struct function_word *f = &function_words[i];
      /* A word out of order, too long or untagged would be silently missed by the search. */
      CHECK (i == 0 || strcmp (function_words[i - 1].word, f->word) < 0);
      CHECK (strlen (f->word) <= FUNCTION_WORD_MAX);
      CHECK (f->lang == 'd' || f->lang == 'e');
      CHECK (function_word_lang (f->word) == f->lang);
    }
  CHECK (function_word_lang ("") == 0);
  CHECK (function_word_lang ("dass") == 'd');
  CHECK (function_word_lang ("das") == 'd');
  CHECK (function_word_lang ("da") == 0);
  CHECK (function_word_lang ("deinenx") == 0);
  CHECK (function_word_lang ("zzz") == 0);
  CHECK (function_word_lang ("\xc3\xa4") == 0);

  CHECK_STR (guess ("Ich habe eine kurze Frage an dich.", 0), "de");
  CHECK_STR (guess ("Could you send me the file, please?", 0), "en");
  CHECK_STR (guess ("Grüße", 0), "de");
  CHECK_STR (guess ("Meeting 10:30", 0), "undecided");
  CHECK_STR (guess ("Hello. Ich bin es, und wir sind hier.", LANG_WHOLE_TEXT), "de");
  CHECK_STR (guess ("Hello.", 5), "undecided");
  UNIT_EXIT ();
}
