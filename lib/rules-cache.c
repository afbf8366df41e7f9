/* rules-cache.c: compile the rules' patterns, and keep them between processes in a cache file. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>
#include "rules.h"
#include "rules-priv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the compiled-pattern cache ----

   Compiling the patterns a message triggers is most of what a delivery costs (a long caseless
   UCP pattern takes half a million instructions), and a mail hook starts a new process for
   every message.  So compiled patterns are kept between processes in
   $XDG_CACHE_HOME/rittberger/patterns-<pcre2 version>.bin (else ~/.cache/...), serialised with
   pcre2_serialize_encode; decoding one costs a copy.  The file is only a cache: a record is
   used only when its pattern text and flags equal the rule's byte for byte, its checksum is
   right and PCRE2 accepts it, and anything unreadable is ignored and rewritten.  It is written
   (to a temporary file, then renamed) by rules_free when the process compiled patterns the
   file did not have, so a warm cache is only ever read.  RITTBERGER_PATTERN_CACHE=off turns
   it off.

   File: "rittberger-pcre2-cache 2\n", then records of native-endian u32 flags, u32 pattern
   length, u32 blob length, u64 checksum (rules_hash_bytes over pattern, then blob), the
   pattern bytes and the serialised code.  (Version 1 had a byte-wise FNV-1a checksum; its
   files are ignored and rewritten.) */

#define CACHE_MAGIC "rittberger-pcre2-cache 2\n"

enum
{
  CACHE_MAX_BYTES = 8 << 20,    /* a bigger file is ignored; a new one keeps the newest */
};

struct cached_pattern
{
  const char *pattern;
  uint32_t plen, flags;
  const uint8_t *blob;
  uint32_t blen;
  uint64_t sum;                 /* checked when the record is used, not for every record */
};

struct pattern_cache
{
  bool loaded;                  /* the file was looked for */
  bool dirty;                   /* a pattern was compiled that the file lacks */
  char *path;                   /* NULL: no cache */
  char *data;                   /* the file as mapped (or read) */
  size_t data_len;
  bool mapped;                  /* DATA is a mapping, else malloc'd */
  struct cached_pattern *v;
  size_t n;
};

static uint64_t
checksum (const void *a, size_t alen, const void *b, size_t blen)
{
  return rules_hash_bytes (b, blen, rules_hash_bytes (a, alen, UINT64_C (0xcbf29ce484222325)));
}

static char *
cache_path (void)
{
  const char *off = getenv ("RITTBERGER_PATTERN_CACHE");
  if (off && strcmp (off, "off") == 0)
    return NULL;
  char version[64];
  if (pcre2_config (PCRE2_CONFIG_VERSION, version) < 0)
    return NULL;
  for (char *c = version; *c; c++)
    if (!((*c >= '0' && *c <= '9') || *c == '.'))
      *c = '_';
  const char *xdg = getenv ("XDG_CACHE_HOME");
  const char *home = getenv ("HOME");
  char buf[4096];
  int n;
  if (xdg && *xdg == '/')
    n = snprintf (buf, sizeof buf, "%s/rittberger/patterns-%s.bin", xdg, version);
  else if (home && *home == '/')
    n = snprintf (buf, sizeof buf, "%s/.cache/rittberger/patterns-%s.bin", home, version);
  else
    return NULL;
  return n > 0 && (size_t) n < sizeof buf ? strdup (buf) : NULL;
}

void
rules_cache_free (struct pattern_cache *c)
{
  if (!c)
    return;
  free (c->path);
  if (c->mapped)
    munmap (c->data, c->data_len);
  else
    free (c->data);
  free (c->v);
  free (c);
}

/* Read the cache file into C, keeping the records that look whole. */
static void
cache_load (struct pattern_cache *c)
{
  c->loaded = true;
  if (!(c->path = cache_path ()))
    return;
  /* O_NONBLOCK: a FIFO in the file's place must not block the load (it is then ignored). */
  int fd = open (c->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return;
  struct stat st;
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_size > CACHE_MAX_BYTES
      || st.st_size < (off_t) sizeof CACHE_MAGIC - 1)
    {
      close (fd);
      return;
    }
  size_t len = 0, size = st.st_size;
  /* Mapped rather than read, as the parsed-rules image is: a full cache is a few hundred KB,
     and copying it into fresh memory took a page fault per page.  Nothing writes into it.  A
     mapped file cut short by another process would raise SIGBUS, but the cache file is never
     truncated or written in place, only replaced by renaming a new file over it. */
  void *map = mmap (NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (map != MAP_FAILED)
    {
      c->data = map;
      c->data_len = len = size;
      c->mapped = true;
    }
  else if ((c->data = malloc (size)))
    while (len < size)
      {
        ssize_t r = read (fd, c->data + len, size - len);
        if (r < 0 && errno == EINTR)
          continue;
        if (r <= 0)
          break;
        len += r;
      }
  close (fd);
  if (!c->data)
    return;
  if (len != size || memcmp (c->data, CACHE_MAGIC, sizeof CACHE_MAGIC - 1) != 0)
    return;
  size_t pos = sizeof CACHE_MAGIC - 1, cap = 0;
  enum { HEAD = 3 * sizeof (uint32_t) + sizeof (uint64_t) };
  while (size - pos >= HEAD)
    {
      uint32_t flags, plen, blen;
      uint64_t sum;
      memcpy (&flags, c->data + pos, 4);
      memcpy (&plen, c->data + pos + 4, 4);
      memcpy (&blen, c->data + pos + 8, 4);
      memcpy (&sum, c->data + pos + 12, 8);
      pos += HEAD;
      if (plen > size - pos || blen > size - pos - plen)
        break;
      const char *pattern = c->data + pos;
      const uint8_t *blob = (const uint8_t *) pattern + plen;
      pos += (size_t) plen + blen;
      if (c->n == cap)
        {
          cap = cap ? 2 * cap : 64;
          struct cached_pattern *nv = realloc (c->v, cap * sizeof *nv);
          if (!nv)
            break;
          c->v = nv;
        }
      c->v[c->n++] = (struct cached_pattern) { pattern, plen, flags, blob, blen, sum };
    }
}

/* The code of R decoded from the cache, or NULL. */
static pcre2_code *
cache_find (struct pattern_cache *c, const struct rule *r)
{
  if (!c->loaded)
    cache_load (c);
  size_t plen = strlen (r->pattern);
  for (size_t i = 0; i < c->n; i++)
    {
      const struct cached_pattern *x = &c->v[i];
      if (x->plen != plen || x->flags != r->pattern_flags || memcmp (x->pattern, r->pattern, plen))
        continue;
      if (checksum (x->pattern, x->plen, x->blob, x->blen) != x->sum)
        return NULL;            /* damaged: compile it, and the file is rewritten */
      pcre2_code *code = NULL;
      if (pcre2_serialize_get_number_of_codes (x->blob) == 1
          && pcre2_serialize_decode (&code, 1, x->blob, NULL) == 1)
        {
          uint32_t options;
          /* One more guard: the decoded pattern must have been compiled with the same flags. */
          if (pcre2_pattern_info (code, PCRE2_INFO_ARGOPTIONS, &options) == 0
              && options == r->pattern_flags)
            return code;
          pcre2_code_free (code);
        }
      return NULL;
    }
  return NULL;
}
static bool
write_record (int fd, const char *pattern, uint32_t flags, const uint8_t *blob, size_t blen)
{
  uint32_t plen = strlen (pattern), b = blen;
  uint64_t sum = checksum (pattern, plen, blob, blen);
  char head[20];
  memcpy (head, &flags, 4);
  memcpy (head + 4, &plen, 4);
  memcpy (head + 8, &b, 4);
  memcpy (head + 12, &sum, 8);
  return rules_write_all (fd, head, sizeof head) && rules_write_all (fd, pattern, plen)
    && rules_write_all (fd, blob, blen);
}

int
rules_create_temporary (const char *path, char **tmp)
{
  /* Room for ".<pid>.<n>". */
  size_t size = strlen (path) + 48;
  char *name = malloc (size);
  if (!name)
    return -1;
  /* O_EXCL: a temporary name that exists (left by a dead process of the same pid, or planted)
     is never reused, and with O_NOFOLLOW a symbolic link there is not followed either: the
     cache is optional, so after a few names the save is skipped. */
  for (int attempt = 0; attempt < 8; attempt++)
    {
      if (attempt == 0)
        snprintf (name, size, "%s.%ld", path, (long) getpid ());
      else
        snprintf (name, size, "%s.%ld.%d", path, (long) getpid (), attempt);
      int fd = open (name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd >= 0)
        {
          *tmp = name;
          return fd;
        }
      if (errno != EEXIST && errno != ELOOP)
        break;
    }
  free (name);
  return -1;
}

/* Write the patterns RS compiled, then the file's other records, as the new cache file. */
void
rules_cache_save (struct pattern_cache *c, const struct ruleset *rs)
{
  if (!c->dirty || !c->path)
    return;
  char *slash = strrchr (c->path, '/');
  if (!slash)
    return;
  /* Create the directories (private: ~/.cache/rittberger). */
  for (char *p = strchr (c->path + 1, '/'); p && p <= slash; p = strchr (p + 1, '/'))
    {
      *p = '\0';
      if (mkdir (c->path, 0700) < 0 && errno != EEXIST)
        {
          *p = '/';
          return;
        }
      *p = '/';
    }
  char *tmp;
  int fd = rules_create_temporary (c->path, &tmp);
  if (fd < 0)
    return;
  bool ok = rules_write_all (fd, CACHE_MAGIC, sizeof CACHE_MAGIC - 1);
  size_t total = sizeof CACHE_MAGIC - 1;
  for (size_t i = 0; ok && i < rs->n; i++)
    {
      const struct rule *r = &rs->v[i];
      if (!r->code)
        continue;
      uint8_t *blob;
      PCRE2_SIZE blen;
      const pcre2_code *one = r->code;
      if (pcre2_serialize_encode (&one, 1, &blob, &blen, NULL) != 1)
        continue;
      total += 20 + strlen (r->pattern) + blen;
      ok = total <= CACHE_MAX_BYTES && write_record (fd, r->pattern, r->pattern_flags, blob, blen);
      pcre2_serialize_free (blob);
    }
  for (size_t i = 0; ok && i < c->n; i++)
    {
      const struct cached_pattern *x = &c->v[i];
      if (checksum (x->pattern, x->plen, x->blob, x->blen) != x->sum)
        continue;               /* a damaged record is dropped */
      bool current = false;     /* already written above from the ruleset */
      for (size_t k = 0; k < rs->n && !current; k++)
        current = rs->v[k].code && rs->v[k].pattern_flags == x->flags
          && strlen (rs->v[k].pattern) == x->plen && memcmp (rs->v[k].pattern, x->pattern, x->plen) == 0;
      if (current)
        continue;
      total += 20 + x->plen + x->blen;
      if (total > CACHE_MAX_BYTES)
        break;
      char *pattern = strndup (x->pattern, x->plen);
      ok = pattern && write_record (fd, pattern, x->flags, x->blob, x->blen);
      free (pattern);
    }
  if (close (fd) < 0)
    ok = false;
  if (!ok || rename (tmp, c->path) < 0)
    unlink (tmp);
  free (tmp);
}

/* RS's pattern cache, made on first use; NULL if there is no memory for it. */
struct pattern_cache *
rules_cache (struct ruleset *rs)
{
  struct rules_private *priv = rules_private_get (rs);
  if (priv && !priv->cache)
    priv->cache = calloc (1, sizeof *priv->cache);
  return priv ? priv->cache : NULL;
}

/* Compile R's pattern if that has not been tried (or take it from CACHE, which may be NULL);
   return it, or NULL if it does not compile.  On failure write the reason into MSG when MSG is
   non-NULL. */
pcre2_code *
rules_pattern_code (struct rule *r, struct pattern_cache *cache, char *msg, size_t msglen)
{
  if (r->code)
    return r->code;
  if (!r->pattern)
    return NULL;
  if (cache && (r->code = cache_find (cache, r)))
    return r->code;
  int errcode;
  PCRE2_SIZE erroff;
  pcre2_code *code = pcre2_compile ((PCRE2_SPTR) r->pattern, PCRE2_ZERO_TERMINATED,
                                    r->pattern_flags, &errcode, &erroff, NULL);
  if (!code)
    {
      r->compile_failed = true;
      if (msg)
        {
          PCRE2_UCHAR text[256];
          if (pcre2_get_error_message (errcode, text, sizeof text) < 0)
            snprintf ((char *) text, sizeof text, "error %d", errcode);
          snprintf (msg, msglen, "%s at offset %lu", (char *) text, (unsigned long) erroff);
        }
      return NULL;
    }
  r->code = code;
  if (cache)
    cache->dirty = true;
  return code;
}

int
rules_compile_all (struct ruleset *rs, FILE *errs)
{
  int problems = 0;
  for (size_t i = 0; i < rs->n; i++)
    {
      struct rule *r = &rs->v[i];
      if (!r->pattern || r->code)
        continue;
      char msg[320];
      if (!rules_pattern_code (r, rules_cache (rs), msg, sizeof msg))
        {
          problems++;
          if (errs)
            fprintf (errs, "%s:%lu: rule %s: pattern: %s\n", r->file, r->pattern_line, r->id, msg);
        }
    }
  return problems;
}
