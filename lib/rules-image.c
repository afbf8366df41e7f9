/* rules-image.c: rules_load_dir, and the parsed-rules image that spares it the parsing. */
/* Copyright (C) 2026 The rittberger authors.
   SPDX-License-Identifier: GPL-3.0-or-later */

#include <config.h>
#include "rules.h"
#include "rules-priv.h"
#include "strbuf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- the parsed-rules image ----

   Parsing the rule files is a sixth of what a mail hook's delivery costs, the same work in
   every process.  So rules_load_dir keeps what it parsed from a directory in an image,
   $XDG_CACHE_HOME/rittberger/rules-<hash of the directory name>.bin (the directory of the
   compiled-pattern cache, and turned off with it by RITTBERGER_PATTERN_CACHE=off): the rules
   of each file, their strings in one block.  A later rules_load_dir of the same directory
   compares the names of its rule files with the image's, and their stat data (device, inode,
   size, modification and change times) with what the image recorded: a file whose stat data
   are unchanged and whose times are well before the moment the image's maker began looking at
   the files is taken as unchanged without being read, as git's index does.  Any other file is
   read and its hash_text value compared with the image's ("racily clean" files, changed
   within the time stamps' granularity of that moment, are always hashed; once every file is
   settled, a load that had to hash them rewrites the image with their new stat data).  If
   every file passes, the rules are built from the image (about a fifth of the cost of
   parsing), the image being mapped, not read.
   Anything else (a changed, added or removed file, an image that does not read back whole)
   means parsing, as without an image, and rewriting the image (to a temporary file, then
   renamed).  Files with an error are never put in an image, so errors are reported as before.
   The image is trusted as the user's own rule files are.

   File: IMAGE_MAGIC, u64 blob length, the blob (NUL-terminated strings, padded to 8 bytes),
   then u64 words: the directory name, the number of files, the time its maker began (seconds,
   nanoseconds), and per file its path, size, hash, stat data (device, inode, size, mtime and
   ctime as seconds and nanoseconds) and number of rules, and per rule the strings id, tool,
   class, lang, pattern, describe-de,
   describe-en, advice-de, advice-en, then side, scope, pattern flags, weight and cap (their
   bits), line, pattern line, the triggers (count, strings), the match examples (count,
   string and line each) and the nomatch examples.  A string is its offset in the blob << 32
   | its length, or UINT64_MAX for none.  Native byte order. */

/* Version 2 added the stat data; version 1 images are not recognised, and rewritten once. */
#define IMAGE_MAGIC "rittberger-rules-image 2\n\n\n\n\n\n\n\n"   /* 32 bytes */

enum
{
  HASH_BUFFER = 16 << 10,       /* for hash_file */
  /* Files changed less than this before an image's maker looked at them are hashed anyway:
     the coarsest time stamps in use (FAT's) have two seconds' granularity. */
  RACY_MARGIN_SECONDS = 2,
};

/* The capacity push_string keeps for N entries: powers of two, so that loading a rule file
   does not realloc (and free) once per example line. */
static size_t
string_capacity (size_t n)
{
  size_t cap = 4;
  while (cap < n)
    cap *= 2;
  return cap;
}

/* Append S to the NULL-terminated array *V of *N strings, with its line in *LINES. */
static int
push_string (char ***v, size_t *n, unsigned long **lines, char *s, unsigned long line)
{
  size_t need = *n + 2;         /* the new entry and the terminating NULL */
  if (!*v || string_capacity (need) != string_capacity (*n + 1))
    {
      char **nv = realloc (*v, string_capacity (need) * sizeof *nv);
      if (!nv)
        return -1;
      *v = nv;
      if (lines)
        {
          unsigned long *nl = realloc (*lines, string_capacity (need) * sizeof *nl);
          if (!nl)
            return -1;
          *lines = nl;
        }
    }
  if (lines)
    (*lines)[*n] = line;
  (*v)[(*n)++] = s;
  (*v)[*n] = NULL;
  return 0;
}

static void
free_strings (char **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free (v[i]);
  free (v);
}


/* A hash of a long text (a rule file: the parsed-rules image is used only if every file
   hashes as it did), fed in pieces: four words at a time, each into its own lane, which the
   processor multiplies in parallel; rules_hash_bytes mixes the lanes and the last bytes at the end.
   Each step is a bijection of its lane, so changing one word always changes the result.  A
   step multiplies the word, rotates and multiplies again (xxHash's round): with a multiplication
   alone, a change in a word's top byte stayed in the lane's top byte, and a change of the
   top byte 32 bytes later cancelled it one time in a few hundred (two letters edited, the
   size kept, and the image's stale rules used). */
struct text_hash
{
  uint64_t lane[4];
  uint64_t len;
};

static void
text_hash_start (struct text_hash *h)
{
  *h = (struct text_hash) { { UINT64_C (0xcbf29ce484222325), UINT64_C (0x84222325cbf29ce4),
                              UINT64_C (0x100000001b3), UINT64_C (0x5851f42d4c957f2d) }, 0 };
}

/* LANE after the word W: a bijection of LANE for each W. */
static inline uint64_t
text_hash_round (uint64_t lane, uint64_t w)
{
  lane += w * UINT64_C (0xc2b2ae3d27d4eb4f);
  lane = lane << 31 | lane >> 33;
  return lane * UINT64_C (0x9e3779b185ebca87);
}

/* Feed the N bytes at P to H, whole 32-byte blocks only (N a multiple of 32). */
static void
text_hash_blocks (struct text_hash *h, const void *p, size_t n)
{
  const unsigned char *b = p;
  h->len += n;
  /* The lanes in locals: stored through H, they were reloaded after every word, since the
     text's bytes might alias them. */
  uint64_t l0 = h->lane[0], l1 = h->lane[1], l2 = h->lane[2], l3 = h->lane[3];
  for (; n >= 32; b += 32, n -= 32)
    {
      uint64_t w[4];
      memcpy (w, b, sizeof w);
      l0 = text_hash_round (l0, w[0]);
      l1 = text_hash_round (l1, w[1]);
      l2 = text_hash_round (l2, w[2]);
      l3 = text_hash_round (l3, w[3]);
    }
  h->lane[0] = l0;
  h->lane[1] = l1;
  h->lane[2] = l2;
  h->lane[3] = l3;
}

/* The hash of what H was fed and then the last N bytes at P (fewer than 32). */
static uint64_t
text_hash_end (const struct text_hash *h, const void *p, size_t n)
{
  return rules_hash_bytes (p, n, rules_hash_bytes (h->lane, sizeof h->lane, h->len + n));
}

/* The same in one piece, for the N bytes at P. */
static uint64_t
hash_text (const void *p, size_t n)
{
  struct text_hash h;
  text_hash_start (&h);
  text_hash_blocks (&h, p, n & ~(size_t) 31);
  return text_hash_end (&h, (const char *) p + (n & ~(size_t) 31), n & 31);
}

/* Hash the file PATH as hash_text would its contents, through BUF (BUFSIZE bytes, a multiple
   of 32), into *HASH and its size into *SIZE; false if it cannot be read whole. */
static bool
hash_file (const char *path, char *buf, size_t bufsize, uint64_t *hash, size_t *size)
{
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  struct text_hash h;
  text_hash_start (&h);
  size_t fill = 0;
  bool ok = true;
  for (;;)
    {
      ssize_t r = read (fd, buf + fill, bufsize - fill);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        ok = false;
      if (r <= 0)
        break;
      fill += r;
      if (fill == bufsize)
        {
          text_hash_blocks (&h, buf, fill);
          fill = 0;
        }
    }
  close (fd);
  size_t whole = fill & ~(size_t) 31;
  text_hash_blocks (&h, buf, whole);
  *hash = text_hash_end (&h, buf + whole, fill - whole);
  *size = h.len + (fill - whole);
  return ok;
}

struct image_writer
{
  bool failed;                  /* out of memory: write nothing */
  struct strbuf blob;           /* the strings, each with its NUL */
  uint64_t *w;
  size_t nw, wcap;
  size_t nfiles;
  const struct rules_file_stat *file_stat;   /* of the file rules_image_add_file adds next */
};

static void
image_word (struct image_writer *w, uint64_t v)
{
  if (w->failed)
    return;
  if (w->nw == w->wcap)
    {
      size_t cap = w->wcap ? 2 * w->wcap : 4096;
      uint64_t *nv = realloc (w->w, cap * sizeof *nv);
      if (!nv)
        {
          w->failed = true;
          return;
        }
      w->w = nv;
      w->wcap = cap;
    }
  w->w[w->nw++] = v;
}

static void
image_string (struct image_writer *w, const char *str)
{
  if (!str)
    {
      image_word (w, UINT64_MAX);
      return;
    }
  size_t len = strlen (str);
  size_t at = w->blob.len;
  if (w->failed || len >= UINT32_MAX || at + len + 1 >= UINT32_MAX)
    {
      w->failed = true;
      return;
    }
  strbuf_add (&w->blob, str, len + 1);
  if (w->blob.failed)
    {
      w->failed = true;
      return;
    }
  image_word (w, (uint64_t) at << 32 | len);
}

static uint64_t
double_bits (double d)
{
  uint64_t b;
  memcpy (&b, &d, sizeof b);
  return b;
}

void
rules_image_add_file (struct image_writer *w, const char *path, size_t size, uint64_t text_hash,
                const struct ruleset *file_rules)
{
  w->nfiles++;
  image_string (w, path);
  image_word (w, size);
  image_word (w, text_hash);
  static const struct rules_file_stat unknown;   /* matches no file: ino 0 */
  const struct rules_file_stat *st = w->file_stat ? w->file_stat : &unknown;
  image_word (w, st->dev);
  image_word (w, st->ino);
  image_word (w, st->size);
  image_word (w, st->mtime_sec);
  image_word (w, st->mtime_nsec);
  image_word (w, st->ctime_sec);
  image_word (w, st->ctime_nsec);
  image_word (w, file_rules->n);
  for (size_t i = 0; i < file_rules->n; i++)
    {
      const struct rule *r = &file_rules->v[i];
      const char *strings[] = { r->id, r->tool, r->cls, r->lang, r->pattern, r->describe[0],
        r->describe[1], r->advice[0], r->advice[1] };
      for (size_t k = 0; k < sizeof strings / sizeof *strings; k++)
        image_string (w, strings[k]);
      image_word (w, r->side);
      image_word (w, r->scope);
      image_word (w, r->pattern_flags);
      image_word (w, double_bits (r->weight));
      image_word (w, double_bits (r->cap));
      image_word (w, r->line);
      image_word (w, r->pattern_line);
      image_word (w, r->ntrigger);
      for (size_t k = 0; k < r->ntrigger; k++)
        image_string (w, r->trigger[k]);
      image_word (w, r->nmatch);
      for (size_t k = 0; k < r->nmatch; k++)
        {
          image_string (w, r->match[k]);
          image_word (w, r->match_line[k]);
        }
      image_word (w, r->nnomatch);
      for (size_t k = 0; k < r->nnomatch; k++)
        {
          image_string (w, r->nomatch[k]);
          image_word (w, r->nomatch_line[k]);
        }
    }
}

/* The image file of the rules directory DIR, or NULL (no cache, or no memory). */
static char *
image_path (const char *dir)
{
  const char *off = getenv ("RITTBERGER_PATTERN_CACHE");
  if (off && strcmp (off, "off") == 0)
    return NULL;
  const char *xdg = getenv ("XDG_CACHE_HOME");
  const char *home = getenv ("HOME");
  unsigned long long h = rules_hash_string (dir);
  char buf[4096];
  int n;
  if (xdg && *xdg == '/')
    n = snprintf (buf, sizeof buf, "%s/rittberger/rules-%016llx.bin", xdg, h);
  else if (home && *home == '/')
    n = snprintf (buf, sizeof buf, "%s/.cache/rittberger/rules-%016llx.bin", home, h);
  else
    return NULL;
  return n > 0 && (size_t) n < sizeof buf ? strdup (buf) : NULL;
}

/* Start W, the image of directory DIR, whose files were looked at from STARTED on. */
static void
image_start (struct image_writer *w, const char *dir, const struct timespec *started)
{
  image_string (w, dir);
  image_word (w, 0);            /* the number of files, set by image_write */
  image_word (w, started->tv_sec);
  image_word (w, started->tv_nsec);
}

/* Create the directories of the image PATH (private: ~/.cache/rittberger); false if they
   cannot be made: then an image is not even built. */
static bool
image_make_dirs (const char *path)
{
  char *slash = strrchr (path, '/');
  char *dirs = strdup (path);
  bool ok = slash && dirs;
  for (char *p = ok ? strchr (dirs + 1, '/') : NULL; ok && p && p - dirs <= slash - path;
       p = strchr (p + 1, '/'))
    {
      *p = '\0';
      if (mkdir (dirs, 0700) < 0 && errno != EEXIST)
        ok = false;
      *p = '/';
    }
  free (dirs);
  return ok;
}

/* Replace the file PATH by the N pieces PARTS of SIZES bytes: written into a new temporary
   file, then renamed over PATH, so that PATH is never truncated or written in place (a
   process mapping it must not see it change); on any failure the temporary file is removed. */
static void
replace_file (const char *path, const void *const *parts, const size_t *sizes, size_t n)
{
  char *tmp;
  int fd = rules_create_temporary (path, &tmp);
  if (fd < 0)
    return;
  bool ok = true;
  for (size_t i = 0; ok && i < n; i++)
    ok = rules_write_all (fd, parts[i], sizes[i]);
  if (close (fd) < 0)
    ok = false;
  if (!ok || rename (tmp, path) < 0)
    unlink (tmp);
  free (tmp);
}

/* Write the image W to PATH.  The temporary file is made only now, once every rule file has
   parsed, so that a process dying while it parses leaves none behind. */
static void
image_write (struct image_writer *w, const char *path)
{
  if (w->failed || w->nw < 4)
    return;
  w->w[1] = w->nfiles;
  uint64_t blob_len = (w->blob.len + 7) & ~(uint64_t) 7;
  static const char zeros[8];
  const void *parts[] = { IMAGE_MAGIC, &blob_len, w->blob.s, zeros, w->w };
  size_t sizes[] = { sizeof IMAGE_MAGIC - 1, sizeof blob_len, w->blob.len,
    blob_len - w->blob.len, w->nw * sizeof *w->w };
  replace_file (path, parts, sizes, sizeof parts / sizeof *parts);
}

static void
image_writer_free (struct image_writer *w)
{
  strbuf_free (&w->blob);
  free (w->w);
}

/* Reading an image: its words W[0, N) and its strings' block BLOB of BLOB_LEN bytes.  Every
   read is bounds-checked; a word out of range sets BAD. */
struct image_reader
{
  const char *w;                /* unaligned: read with memcpy */
  size_t n, at;
  const char *blob;
  size_t blob_len;
  bool bad;
  const char *arena_end;        /* where the memory for the rules' arrays ends */
};

/* Room for N more bytes of arrays at *ARENA?  If not, the image is bad. */
static bool
image_room (struct image_reader *r, void *const *arena, size_t n)
{
  if ((size_t) (r->arena_end - (const char *) *arena) < n)
    r->bad = true;
  return !r->bad;
}

static uint64_t
image_next (struct image_reader *r)
{
  if (r->at >= r->n)
    {
      r->bad = true;
      return 0;
    }
  uint64_t v;
  memcpy (&v, r->w + 8 * r->at++, sizeof v);
  return v;
}

/* The next count of items of ITEM_WORDS words each (0 if it cannot be). */
static size_t
image_next_count (struct image_reader *r, size_t item_words)
{
  uint64_t v = image_next (r);
  if (v > (r->n - r->at) / item_words)
    {
      r->bad = true;
      return 0;
    }
  return (size_t) v;
}

/* The next string, NULL for none (or a bad one: then BAD is set). */
static char *
image_next_string (struct image_reader *r)
{
  uint64_t v = image_next (r);
  if (r->bad || v == UINT64_MAX)
    return NULL;
  uint64_t off = v >> 32, len = v & UINT32_MAX;
  if (off >= r->blob_len || len >= r->blob_len - off || r->blob[off + len] != '\0')
    {
      r->bad = true;
      return NULL;
    }
  return (char *) r->blob + off;
}

static double
image_next_double (struct image_reader *r)
{
  uint64_t b = image_next (r);
  double d;
  memcpy (&d, &b, sizeof d);
  return d;
}

/* Read rule R's triggers and examples from RD; with ARENA (else only count the pointers and
   lines they need into *NPTR and *NLINES), store them there. */
static void
image_rule_lists (struct image_reader *rd, struct rule *r, void **arena, size_t *nptr,
                  size_t *nlines)
{
  size_t n = image_next_count (rd, 1);
  char **trig = n && arena && image_room (rd, arena, (n + 1) * sizeof *trig)
    ? (char **) *arena : NULL;
  for (size_t k = 0; k < n; k++)
    {
      char *w = image_next_string (rd);
      if (!w)
        rd->bad = true;
      if (trig)
        trig[k] = w;
    }
  if (n)
    {
      *nptr += n + 1;
      if (trig)
        {
          trig[n] = NULL;
          *arena = trig + n + 1;
          r->trigger = trig;
        }
    }
  if (r)
    r->ntrigger = n;
  for (int kind = 0; kind < 2; kind++)
    {
      n = image_next_count (rd, 2);
      char **ex = n && arena && image_room (rd, arena, (n + 1) * sizeof *ex + n * sizeof (unsigned long))
        ? (char **) *arena : NULL;
      unsigned long *lines = ex ? (unsigned long *) (ex + n + 1) : NULL;
      for (size_t k = 0; k < n; k++)
        {
          char *e = image_next_string (rd);
          uint64_t line = image_next (rd);
          if (!e)
            rd->bad = true;
          if (ex)
            {
              ex[k] = e;
              lines[k] = line;
            }
        }
      if (!n)
        continue;
      *nptr += n + 1;
      *nlines += n;
      if (ex)
        {
          ex[n] = NULL;
          *arena = lines + n;
          *(kind == 0 ? &r->match : &r->nomatch) = ex;
          *(kind == 0 ? &r->match_line : &r->nomatch_line) = lines;
          *(kind == 0 ? &r->nmatch : &r->nnomatch) = n;
        }
    }
}

/* Read one rule from RD into R (R NULL: only check it and count, as image_rule_lists). */
static void
image_rule (struct image_reader *rd, struct rule *r, void **arena, size_t *nptr, size_t *nlines)
{
  char *str[9];
  for (size_t k = 0; k < 9; k++)
    str[k] = image_next_string (rd);
  uint64_t side = image_next (rd), scope = image_next (rd), flags = image_next (rd);
  double weight = image_next_double (rd), cap = image_next_double (rd);
  uint64_t line = image_next (rd), pattern_line = image_next (rd);
  /* What every parsed rule has: an id, a lang, both descriptions, a side. */
  if (!str[0] || !str[3] || !str[5] || !str[6] || side == SIDE_NONE || side > SIDE_APPELL
      || scope > SCOPE_SUBJECT || flags > UINT_MAX)
    rd->bad = true;
  if (r && !rd->bad)
    {
      r->id = str[0];
      r->tool = str[1];
      r->cls = str[2];
      r->lang = str[3];
      r->pattern = str[4];
      r->describe[0] = str[5];
      r->describe[1] = str[6];
      r->advice[0] = str[7];
      r->advice[1] = str[8];
      r->side = (enum rule_side) side;
      r->scope = (enum rule_scope) scope;
      r->pattern_flags = (unsigned) flags;
      r->weight = weight;
      r->cap = cap;
      r->line = line;
      r->pattern_line = pattern_line;
    }
  image_rule_lists (rd, r, r ? arena : NULL, nptr, nlines);
}

/* The stat data of the file PATH (following symbolic links, as reading it does) into *ST;
   all zeros if there are none (inode 0 matches no recorded file). */
static void
file_stat_get (const char *path, struct rules_file_stat *st)
{
  struct stat sb;
  if (stat (path, &sb) < 0)
    {
      *st = (struct rules_file_stat) { 0 };
      return;
    }
  *st = (struct rules_file_stat) {
    .dev = sb.st_dev, .ino = sb.st_ino, .size = sb.st_size,
    .mtime_sec = sb.st_mtim.tv_sec, .mtime_nsec = sb.st_mtim.tv_nsec,
    .ctime_sec = sb.st_ctim.tv_sec, .ctime_nsec = sb.st_ctim.tv_nsec,
  };
}

/* Whether the time SEC, NSEC is at least RACY_MARGIN_SECONDS before BEFORE. */
static bool
settled_before (int64_t sec, int64_t nsec, const struct timespec *before)
{
  int64_t limit = (int64_t) before->tv_sec - RACY_MARGIN_SECONDS;
  return sec < limit || (sec == limit && nsec < before->tv_nsec);
}

/* Whether ST's modification and change times are both settled before BEFORE. */
static bool
file_settled (const struct rules_file_stat *st, const struct timespec *before)
{
  return st->ino != 0 && settled_before (st->mtime_sec, st->mtime_nsec, before)
    && settled_before (st->ctime_sec, st->ctime_nsec, before);
}

bool
rules_image_stat_current (const struct rules_file_stat *recorded,
                          const struct rules_file_stat *now, const struct timespec *started)
{
  /* The change time cannot be set back by a user (utimensat sets it to now), so an edit that
     restores the size and the modification time is still seen; the inode tells a file renamed
     into place; and a time within the margin of STARTED may hide a second change in the same
     tick, after the image's maker read the file. */
  return recorded->dev == now->dev && recorded->ino == now->ino && recorded->size == now->size
    && recorded->mtime_sec == now->mtime_sec && recorded->mtime_nsec == now->mtime_nsec
    && recorded->ctime_sec == now->ctime_sec && recorded->ctime_nsec == now->ctime_nsec
    && file_settled (now, started);
}

/* Store V as the word at index AT of the image words at W. */
static void
image_patch_word (char *w, size_t at, uint64_t v)
{
  memcpy (w + 8 * at, &v, sizeof v);
}

/* If the image DATA (LEN bytes, kept in memory by the chunk IMG) describes directory DIR with
   the N rule files PATHS, each unchanged (by its stat data STATS, taken from the moment NOW
   on, or else by its contents' hash), merge its rules into RS file by file, as parsing them
   would, and give IMG to RS: return 1.  Return 0 if it does not (RS unchanged, IMG freed), -1
   with errno ENOMEM.  If a file had to be hashed but every file is settled by NOW, the image
   file IMAGE (if not NULL) is rewritten with STATS and NOW, so that later loads need not hash
   them. */
static int
image_load (struct ruleset *rs, struct rules_chunk *img, char *data, size_t len,
            const char *dir, char *const *paths, const struct rules_file_stat *stats,
            const struct timespec *now, const char *image, size_t n)
{
  enum { HEAD = sizeof IMAGE_MAGIC - 1 + sizeof (uint64_t) };
  uint64_t blob_len = 0;
  if (len >= HEAD)
    memcpy (&blob_len, data + HEAD - sizeof blob_len, sizeof blob_len);
  if (len < HEAD || memcmp (data, IMAGE_MAGIC, sizeof IMAGE_MAGIC - 1) != 0
      || blob_len % 8 || blob_len > len - HEAD || (len - HEAD - blob_len) % 8)
    {
      rules_chunk_free (img);
      return 0;
    }
  char *words = data + HEAD + blob_len;
  struct image_reader rd = {
    .w = words, .n = (len - HEAD - blob_len) / 8,
    .blob = data + HEAD, .blob_len = blob_len,
  };
  /* Every pointer and line of the rules' arrays is a word of the image, and each list has one
     terminating NULL more: at most three per rule, and a rule takes 19 words or more. */
  size_t arena_size = (rd.n + 3 * (rd.n / 19 + 1)) * 8;
  struct rules_chunk *arena = rules_chunk_new (arena_size);
  struct ruleset *files = calloc (n + 1, sizeof *files);
  size_t *stat_at = calloc (n + 1, sizeof *stat_at);   /* where each file's stat data are */
  if (!arena || !files || !stat_at)
    {
      rules_chunk_free (arena);
      free (files);
      free (stat_at);
      rules_chunk_free (img);
      errno = ENOMEM;
      return -1;
    }
  /* Build every file's rules, checking as we go; merge only if the whole image is good. */
  void *at = arena->data;
  rd.arena_end = arena->data + arena_size;
  size_t nptr = 0, nlines = 0;
  const char *name = image_next_string (&rd);
  bool good = name && strcmp (name, dir) == 0 && image_next (&rd) == n;
  size_t made_at = rd.at;
  struct timespec made = { 0, 0 };
  made.tv_sec = (time_t) (int64_t) image_next (&rd);
  made.tv_nsec = (long) image_next (&rd);
  bool nomem = false, hashed = false;
  /* Whether an image with STATS and NOW would spare the next load the hashing: every file's
     times settled by NOW, and its size what stat says (not so for a FIFO, say). */
  bool refreshable = image != NULL;
  char *buf = NULL;
  for (size_t f = 0; good && !rd.bad && f < n; f++)
    {
      char *path = image_next_string (&rd);
      uint64_t size = image_next (&rd), hash = image_next (&rd);
      struct rules_file_stat recorded;
      stat_at[f] = rd.at;
      recorded.dev = image_next (&rd);
      recorded.ino = image_next (&rd);
      recorded.size = image_next (&rd);
      recorded.mtime_sec = (int64_t) image_next (&rd);
      recorded.mtime_nsec = (int64_t) image_next (&rd);
      recorded.ctime_sec = (int64_t) image_next (&rd);
      recorded.ctime_nsec = (int64_t) image_next (&rd);
      good = path && !rd.bad && strcmp (path, paths[f]) == 0;
      refreshable = refreshable && stats[f].size == size && file_settled (&stats[f], now);
      if (good && !(recorded.size == size && rules_image_stat_current (&recorded, &stats[f], &made)))
        {
          /* Changed, or racily clean: only its contents can tell. */
          uint64_t file_hash;
          size_t file_size;
          hashed = true;
          if (!buf)
            buf = malloc (HASH_BUFFER);
          good = buf && hash_file (paths[f], buf, HASH_BUFFER, &file_hash, &file_size)
            && file_size == size && file_hash == hash;
        }
      size_t nrules = image_next_count (&rd, 19);
      for (size_t i = 0; good && !rd.bad && i < nrules; i++)
        {
          struct rule *r = rules_append_rule (&files[f]);
          if (!r)
            {
              nomem = true;
              good = false;
              break;
            }
          image_rule (&rd, r, &at, &nptr, &nlines);
          r->file = path;
        }
    }
  free (buf);
  good = good && !rd.bad && rd.at == rd.n;
  if (good && hashed && refreshable)
    {
      /* The words are this process's private copy of the image's pages (or its own memory):
         patch them, and write the whole as the new image. */
      image_patch_word (words, made_at, (uint64_t) (int64_t) now->tv_sec);
      image_patch_word (words, made_at + 1, (uint64_t) now->tv_nsec);
      for (size_t f = 0; f < n; f++)
        {
          const struct rules_file_stat *st = &stats[f];
          const uint64_t v[] = { st->dev, st->ino, st->size, st->mtime_sec, st->mtime_nsec,
            st->ctime_sec, st->ctime_nsec };
          for (size_t k = 0; k < sizeof v / sizeof *v; k++)
            image_patch_word (words, stat_at[f] + k, v[k]);
        }
      const void *parts[] = { data };
      replace_file (image, parts, &len, 1);
    }
  free (stat_at);
  if (good && !rules_private_get (rs))
    {
      nomem = true;
      good = false;
    }
  if (good)
    {
      /* The rules point into both from now on: the ruleset keeps them. */
      img->next = arena;
      arena->next = rs->priv->chunks;
      rs->priv->chunks = img;
    }
  int status = good ? 1 : 0;
  for (size_t f = 0; f < n; f++)
    {
      if (good && status > 0 && rules_merge (rs, &files[f]) < 0)
        status = -1;
      files[f].n = 0;           /* their strings are the image's, freed below if not kept */
      rules_free (&files[f]);
    }
  free (files);
  if (!good)
    {
      rules_chunk_free (arena);
      rules_chunk_free (img);
    }
  if (nomem || status < 0)
    {
      errno = ENOMEM;
      return -1;
    }
  return status;
}

/* The image file PATH in memory that a new chunk keeps: its bytes at *DATA, their number in
   *LEN; NULL if it is not a regular file of at most IMAGE_MAX_BYTES or cannot be read.  It is
   only a cache: a FIFO in its place must not block the load (hence O_NONBLOCK), nor a device
   or a huge sparse file be read into memory. */
static struct rules_chunk *
image_open (const char *path, char **data, size_t *len)
{
  enum { IMAGE_MAX_BYTES = 64 << 20 };    /* the shipped rules make 0.25 MB */
  int fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return NULL;
  struct stat st;
  struct rules_chunk *c = NULL;
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_size > 0
      && st.st_size <= IMAGE_MAX_BYTES)
    {
      size_t size = st.st_size;
      /* Mapped rather than read: the pages come from the page cache as they are touched, a few
         at a time, where copying the file into fresh memory took a page fault for each page.
         The rules' strings point into the mapping, so it lives as long as they do (till
         rules_free).  Private and writable: a write into a rule's string stays in this
         process, as with a copy.  A mapped file cut short by another process would raise
         SIGBUS when its lost pages are touched; but an image is never truncated or written in
         place, only replaced by renaming a new file over it (replace_file), which leaves the
         file mapped here whole. */
      void *map = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
      if (map != MAP_FAILED)
        {
          if ((c = rules_chunk_new (0)))
            {
              c->map = map;
              c->map_len = size;
              *data = map;
              *len = size;
            }
          else
            munmap (map, size);
        }
      else if ((c = rules_chunk_new (size + 1)))
        {
          /* No mapping (a file system that cannot map files): read it. */
          size_t n = 0;
          while (n < size)
            {
              ssize_t r = read (fd, c->data + n, size - n);
              if (r < 0 && errno == EINTR)
                continue;
              if (r <= 0)
                break;
              n += r;
            }
          c->data[n] = '\0';
          *data = c->data;
          *len = n;           /* a file cut meanwhile reads short: image_load rejects it */
        }
    }
  close (fd);
  return c;
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

int
rules_load_dir (struct ruleset *rs, const char *dir, char *err, size_t errlen)
{
  DIR *d = opendir (dir);
  if (!d)
    {
      int saved = errno;
      rules_set_error (err, errlen, "%s: %s", dir, strerror (saved));
      errno = saved;
      return -1;
    }
  char **names = NULL;
  size_t n = 0;
  int status = 0;
  struct dirent *e;
  while ((e = readdir (d)))
    {
      size_t len = strlen (e->d_name);
      if (e->d_name[0] == '.' || len <= 6 || strcmp (e->d_name + len - 6, ".rules") != 0)
        continue;
      char *name = strdup (e->d_name);
      if (!name || push_string (&names, &n, NULL, name, 0) < 0)
        {
          free (name);
          rules_set_error (err, errlen, "%s: %s", dir, strerror (ENOMEM));
          status = -1;
          break;
        }
    }
  closedir (d);
  if (n > 1)
    qsort (names, n, sizeof *names, compare_names);
  /* The files' stat data first: if the image was made of files with these names and stat
     data (or else contents), the rules come from it and nothing is parsed. */
  char **paths = status == 0 ? calloc (n + 1, sizeof *paths) : NULL;
  struct rules_file_stat *stats = paths ? calloc (n + 1, sizeof *stats) : NULL;
  if (status == 0 && !stats)
    {
      rules_set_error (err, errlen, "%s: %s", dir, strerror (ENOMEM));
      status = -1;
    }
  for (size_t i = 0; status == 0 && i < n; i++)
    {
      size_t need = strlen (dir) + strlen (names[i]) + 2;
      if (!(paths[i] = malloc (need)))
        {
          rules_set_error (err, errlen, "%s: %s", dir, strerror (ENOMEM));
          status = -1;
          break;
        }
      snprintf (paths[i], need, "%s/%s", dir, names[i]);
    }
  char *image = status == 0 && n > 0 ? image_path (dir) : NULL;
  /* The moment the files begin to be looked at, taken before their stat data: an image made
     now must hash any file changed after it, or just before (see rules_image_stat_current).
     Without a clock, zero makes every file racily clean, so always hashed. */
  struct timespec started = { 0, 0 };
  if (image && clock_gettime (CLOCK_REALTIME, &started) < 0)
    started = (struct timespec) { 0, 0 };
  for (size_t i = 0; image && i < n; i++)
    file_stat_get (paths[i], &stats[i]);
  char *image_data = NULL;
  size_t image_len = 0;
  struct rules_chunk *img = image ? image_open (image, &image_data, &image_len) : NULL;
  int from_image = 0;
  if (img)
    {
      from_image = image_load (rs, img, image_data, image_len, dir, paths, stats, &started,
                               image, n);
      if (from_image < 0)
        {
          rules_set_error (err, errlen, "%s: %s", dir, strerror (ENOMEM));
          status = -1;
        }
    }
  /* Else parse them one by one, and make a new image of them if it can be written. */
  struct image_writer w = { 0 };
  bool build = image && from_image == 0 && status == 0 && image_make_dirs (image);
  if (build)
    image_start (&w, dir, &started);
  for (size_t i = 0; status == 0 && from_image == 0 && i < n; i++)
    {
      size_t size = 0;
      struct rules_chunk *text = rules_read_whole (paths[i], &size);
      uint64_t hash = text && build ? hash_text (text->data, size) : 0;
      w.file_stat = &stats[i];
      status = rules_load_text (rs, paths[i], text, size, build ? &w : NULL, hash, err, errlen);
    }
  int saved = errno;
  if (build && status == 0)
    image_write (&w, image);
  image_writer_free (&w);
  free (image);
  for (size_t i = 0; paths && i < n; i++)
    free (paths[i]);
  free (paths);
  free (stats);
  free_strings (names, n);
  errno = saved;
  return status;
}
