/* fingerprint.h: near-duplicate fingerprints of message bodies (normalise, MinHash, LSH band keys). */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef RITTBERGER_FINGERPRINT_H
#define RITTBERGER_FINGERPRINT_H

/* The design and its measurements are in template-fingerprints.md: word tokens after a
   normalisation that turns the slots a bot fills per recipient into class tokens, features =
   unigrams and bigrams, MinHash with k = 64 keyed hash functions of which 16 bits per slot are
   kept, 21 LSH bands of 3 slots, verification at >= 26 equal slots.  Every hash is keyed with a
   per-store secret (SipHash-2-4), so senders cannot aim for collisions and a stored signature
   says nothing about the text. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum
{
  FP_SLOTS = 64,                /* MinHash slots (k) */
  FP_BANDS = 21,                /* LSH bands */
  FP_ROWS = 3,                  /* slots per band; slot 63 is in no band */
  FP_VERIFY_SLOTS = 26,         /* equal slots for a verified near-duplicate (J >= 0.4) */
  FP_MIN_TOKENS = 10,           /* shorter bodies are neither flagged nor learned */
  FP_KEY_BYTES = 16,
  FP_MAX_TOKENS = 20000,        /* tokens looked at per body: a bound on time for huge bodies */
};

/* A per-store secret: the SipHash key of every hash in a fingerprint. */
struct fp_key
{
  uint8_t bytes[FP_KEY_BYTES];
};

struct fingerprint
{
  uint16_t sig[FP_SLOTS];       /* low 16 bits of each slot's minimum */
  uint64_t band[FP_BANDS];      /* LSH band keys, from the band number and its 3 slots */
  uint32_t ntok;                /* tokens after normalisation */
};

/* The normalised token stream of one body. */
struct fp_tokens
{
  char *buf;                    /* the folded text and behind its NUL the tokens not in it
                                   (class and recipient tokens); tokens point into it */
  uint32_t *off, *len;          /* token I is buf[off[I] .. off[I] + len[I]) */
  size_t n;
};

/* The recipient's own names, handles, mailbox local part, domain label and company words,
   normalised; tokens equal to one become "xrcptx".  Start from { 0 } and fill it only with
   fp_recipient_add, which sizes WORDS by a count it derives from N. */
struct fp_recipient
{
  char **words;
  size_t n;
};

/* SipHash-2-4 of the LEN bytes at DATA under the 16-byte KEY (Aumasson and Bernstein, 2012). */
uint64_t fp_siphash24 (const uint8_t key[16], const void *data, size_t len);

/* Add the words of S (a name, "brandt-consulting.de", "@brandt_cc", "Anna Brandt") to R,
   normalised as bodies are; words shorter than 3 characters are skipped.  Return 0 or -1 (ENOMEM). */
int fp_recipient_add (struct fp_recipient *r, const char *s);

/* Release R's words and reset it to empty. */
void fp_recipient_free (struct fp_recipient *r);

/* Normalise the UTF-8 body S of LEN bytes into *OUT: cut quoted text, signatures and list
   footers, NFKC and case fold, replace the greeting line by "xgreetx", drop the closing
   formula and what follows, turn merge tags, e-mail addresses, URLs, handles, phone numbers
   and numbers into class tokens, split into UAX #29 words and turn R's words into "xrcptx".
   MASK (LEN bytes of enum text_mask, or NULL) drops quoted, signature, forwarded and
   disclaimer bytes as text_analyze found them.  Invalid UTF-8 is treated as white space.
   Return 0, or -1 with errno set (ENOMEM). */
int fp_normalise (const char *s, size_t len, const uint8_t *mask, const struct fp_recipient *r,
                  struct fp_tokens *out);

/* fp_normalise as it was before steps 4 to 6 became one scan: the class tokens written into
   a copy of the text, then the copy split into words.  The same tokens (the unit test holds
   fp_normalise to it); not for production use. */
int fp_normalise_reference (const char *s, size_t len, const uint8_t *mask,
                            const struct fp_recipient *r, struct fp_tokens *out);

/* NFKC and full case folding of the UTF-8 text S (LEN bytes), line by line, as fp_normalise
   does it: the result equals u8_casefold (..., UNINORM_NFKC, ...) of each line, lines kept.
   Invalid UTF-8 comes out as U+FFFD, as from u8_casefold.  Return the folded text
   (NUL-terminated, *OUTLEN bytes before the NUL) for the caller to free, or NULL with errno
   set (ENOMEM). */
char *fp_casefold (const char *s, size_t len, size_t *outlen);

/* Release what fp_normalise allocated. */
void fp_tokens_free (struct fp_tokens *t);

/* Compute the MinHash signature and band keys of the tokens TOK under KEY into *FP
   (fp->ntok = tok->n; with no tokens every slot is 0xffff). */
void fp_compute (const struct fp_tokens *tok, const struct fp_key *key, struct fingerprint *fp);

/* fp_normalise and fp_compute in one step.  Return 0, or -1 with errno set. */
int fp_fingerprint (const char *s, size_t len, const uint8_t *mask, const struct fp_recipient *r,
                    const struct fp_key *key, struct fingerprint *fp);

/* The band keys of signature SIG under KEY (used when signatures are imported). */
void fp_band_keys (const uint16_t sig[FP_SLOTS], const struct fp_key *key, uint64_t band[FP_BANDS]);

/* The number of equal slots of A and B, 0 to FP_SLOTS. */
int fp_equal_slots (const uint16_t a[FP_SLOTS], const uint16_t b[FP_SLOTS]);

/* True if a signature with EQUAL equal slots is a verified near-duplicate. */
static inline bool
fp_is_near_duplicate (int equal)
{
  return equal >= FP_VERIFY_SLOTS;
}

/* Normalise the bare address ADDR for a sender key into BUF (SIZE bytes): lower case, the
   "+tag" of the local part removed, VERP/BATV/SRS local parts collapsed to their stable part.
   Return BUF, or NULL if ADDR has no '@' or does not fit. */
char *fp_sender_normalise (const char *addr, char *buf, size_t size);

/* The keyed 64-bit sender key of ADDR (normalised with fp_sender_normalise; an address that
   cannot be normalised is hashed as written). */
uint64_t fp_sender_key (const char *addr, const struct fp_key *key);

/* Encode SIG as 256 lower-case hex digits (4 per slot, slot 0 first, big-endian within a
   slot) into HEX (at least 257 bytes). */
void fp_sig_to_hex (const uint16_t sig[FP_SLOTS], char *hex);

/* Decode 256 hex digits into SIG; return 0, or -1 if HEX is not exactly that. */
int fp_sig_from_hex (const char *hex, size_t len, uint16_t sig[FP_SLOTS]);

#endif
