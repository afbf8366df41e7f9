/* lang.h: a cheap German/English guess per sentence, from function words, to gate language-bound rules. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef RITTBERGER_LANG_H
#define RITTBERGER_LANG_H

#include <stddef.h>
#include <stdint.h>
#include "text.h"

/* The longest function word lang_guess counts, in bytes: a word of only ASCII bytes that is
   longer is never evidence (a longer word counts only by a German letter). */
#define LANG_FUNCTION_WORD_MAX 6

/* Pass as SENTENCE to lang_guess to judge the sender's whole text instead of one sentence. */
#define LANG_WHOLE_TEXT SIZE_MAX

/* Guess the language of sentence SENTENCE of T (or of all of T's own words for LANG_WHOLE_TEXT)
   by counting German and English function words; return "de", "en", or NULL when undecided. */
const char *lang_guess (const struct text *t, size_t sentence);

/* The evidence lang_guess counts for the word W of text.lower (lower-cased, NUL-terminated,
   with TEXT_LOWER_PAD readable bytes after it): 'd' German, 'e' English, 0 none. */
char lang_word_evidence (const char *w);

#endif
