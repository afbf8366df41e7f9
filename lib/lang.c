/* lang.c: guess German or English from function words, cheap enough to run per sentence. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>
#include "lang.h"

#include <stdlib.h>
#include <string.h>

/* Frequent words that are common in one language and rare in the other.  Words that are
   frequent in both ("was", "will", "in", "an", "am", "so", "also", "man") are left out: they
   cannot tell the languages apart.  Both lists are sorted by strcmp for bsearch. */
static const char *const german_words[] = {
  "aber", "als", "auch", "auf", "aus", "bei", "bin", "bist", "bitte", "danke", "das", "dass",
  "dein", "deine", "deinen", "dem", "den", "denn", "der", "des", "dich", "die", "dir", "doch",
  "du", "durch", "ein", "eine", "einem", "einen", "einer", "er", "es", "euch", "euer", "eure",
  "gerne", "gibt", "habe", "haben", "hallo", "hast", "hat", "ich", "ihnen", "ihr", "ihre",
  "ist", "ja", "jetzt", "kann", "kannst", "keine", "kurz", "kurze", "mal", "mehr", "mich",
  "mir", "mit", "nach", "nicht", "noch", "nur", "oder", "schon", "sehr", "sein", "sich", "sie",
  "sind", "und", "uns", "unser", "unsere", "vom", "von", "vor", "war", "weil", "wenn", "wer",
  "werden", "wie", "wir", "wird", "wo", "zu", "zum", "zur",
};

static const char *const english_words[] = {
  "a", "about", "and", "any", "are", "at", "be", "been", "but", "can", "could", "did", "do",
  "does", "for", "from", "get", "had", "has", "have", "he", "hello", "hi", "how", "i", "if",
  "is", "it", "its", "just", "let", "me", "my", "not", "of", "on", "or", "our", "please",
  "quick", "she", "should", "thanks", "that", "the", "their", "there", "they", "this", "to",
  "us", "we", "were", "what", "when", "which", "who", "why", "with", "would", "you", "your",
};

static int
compare_word (const void *key, const void *elem)
{
  return strcmp ((const char *) key, *(const char *const *) elem);
}

static bool
in_list (const char *word, const char *const *list, size_t n)
{
  return bsearch (word, list, n, sizeof *list, compare_word) != NULL;
}

/* ä, ö, ü and ß (UTF-8, lower case) are German evidence of their own: English has none. */
static bool
has_german_letter (const char *w)
{
  for (; *w; w++)
    if ((unsigned char) w[0] == 0xC3 && w[1]
        && ((unsigned char) w[1] == 0xA4 || (unsigned char) w[1] == 0xB6
            || (unsigned char) w[1] == 0xBC || (unsigned char) w[1] == 0x9F))
      return true;
  return false;
}

const char *
lang_guess (const struct text *t, size_t sentence)
{
  size_t first, end;
  if (sentence == LANG_WHOLE_TEXT)
    {
      first = 0;
      end = t->ntok;
    }
  else if (sentence < t->nsent)
    {
      first = t->sent[sentence].first_tok;
      end = first + t->sent[sentence].ntok;
      if (end > t->ntok)
        end = t->ntok;
    }
  else
    return NULL;

  size_t german = 0, english = 0;
  for (size_t i = first; i < end; i++)
    {
      if (t->tok[i].mask & TEXT_NOT_OWN)
        continue;
      const char *w = text_lower (t, i);
      if (in_list (w, german_words, sizeof german_words / sizeof *german_words)
          || has_german_letter (w))
        german++;
      else if (in_list (w, english_words, sizeof english_words / sizeof *english_words))
        english++;
    }
  if (german > english)
    return "de";
  if (english > german)
    return "en";
  return NULL;
}
