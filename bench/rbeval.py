# rbeval.py: corpora, batch tool runs and interval statistics shared by bench/eval and bench/fit-weights.
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later
"""Shared by bench/eval and bench/fit-weights; standard library only.

A corpus is a name and a list of items (path, label); the label is 'outreach', 'legit' or
'spam' (spam is unwanted but not cold outreach: only its flagged rate is reported, it never
counts as a positive).  Every tool runs once per batch over a NUL-separated list of files."""

import atexit
import glob
import hashlib
import math
import os
import re
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
SHARED = '/work/shared/corpus'
CACHE = os.path.expanduser('~/.cache/rittberger-corpus')

# The held-out rule of tests/dev (see tests/dev/README.md): per label, the 30 % of file names
# with the smallest SHA-256 of the name are held out.  Fixed before any result was looked at.
HELDOUT_SHARE = 0.3

# Detector verdicts that mean "nothing found".
QUIET_VERDICTS = ('NONE', 'CLEAN', 'SIE_FORMAL', 'NO', '-', '')


class Corpus:
    def __init__(self, name, items, note=''):
        self.name = name
        self.items = items          # list of (path, label)
        self.note = note

    def labels(self):
        return {label for _, label in self.items}


# ---- statistics ----

def wilson(k, n, z=1.96):
    """The Wilson score interval of k successes in n trials, as fractions; (nan, nan) if n == 0."""
    if n == 0:
        return (float('nan'), float('nan'))
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def rate(k, n):
    """'k/n = 12.3 % [8.1–17.9]' with the 95 % Wilson interval, or '–' when n is 0."""
    if n == 0:
        return '–'
    lo, hi = wilson(k, n)
    return '%d/%d = %.1f %% [%.1f–%.1f]' % (k, n, 100.0 * k / n, 100 * lo, 100 * hi)


def confusion(pairs):
    """pairs: (label, flagged) -> dict with tp, fp, fn, tn, spam, spam_flagged."""
    c = dict(tp=0, fp=0, fn=0, tn=0, spam=0, spam_flagged=0)
    for label, flagged in pairs:
        if label == 'outreach':
            c['tp' if flagged else 'fn'] += 1
        elif label == 'legit':
            c['fp' if flagged else 'tn'] += 1
        else:
            c['spam'] += 1
            c['spam_flagged'] += flagged
    return c


def metric_cells(pairs):
    """The table cells messages, flagged, precision, recall, FP rate for pairs (label, flagged).
    Precision needs both classes in the corpus; recall needs outreach; the FP rate needs legit."""
    c = confusion(pairs)
    n = len(pairs)
    flagged = c['tp'] + c['fp'] + c['spam_flagged']
    pos, neg = c['tp'] + c['fn'], c['fp'] + c['tn']
    precision = rate(c['tp'], c['tp'] + c['fp']) if pos and neg else '–'
    return [str(n), rate(flagged, n), precision, rate(c['tp'], pos), rate(c['fp'], neg)]


def table(header, rows):
    """A Markdown table, padded so it also reads well in a terminal."""
    widths = [len(h) for h in header]
    for r in rows:
        for i, cell in enumerate(r):
            widths[i] = max(widths[i], len(cell))
    def line(cells):
        return '| ' + ' | '.join(c.ljust(w) for c, w in zip(cells, widths)) + ' |'
    out = [line(header), '|' + '|'.join('-' * (w + 2) for w in widths) + '|']
    out += [line(r) for r in rows]
    return '\n'.join(out)


# ---- tests/dev and its split ----

def dev_files(top, label, heldout):
    d = os.path.join(top, 'heldout', label) if heldout else os.path.join(top, label)
    return sorted(p for p in glob.glob(os.path.join(d, '*'))
                  if p.endswith(('.txt', '.eml')) and os.path.isfile(p))


def name_hash(name):
    return hashlib.sha256(name.encode('utf-8')).hexdigest()


def expected_heldout(names):
    """The names the held-out rule puts into heldout/, from all NAMES of one label."""
    ranked = sorted(names, key=name_hash)
    return set(ranked[:round(HELDOUT_SHARE * len(ranked))])


def check_split(top):
    """Return a list of problems: files whose place contradicts the held-out rule."""
    problems = []
    for label in ('outreach', 'legit'):
        train = [os.path.basename(p) for p in dev_files(top, label, False)]
        held = [os.path.basename(p) for p in dev_files(top, label, True)]
        want = expected_heldout(train + held)
        for n in train:
            if n in want:
                problems.append('%s/%s: the rule holds it out; move it to heldout/%s/' % (label, n, label))
        for n in held:
            if n not in want:
                problems.append('heldout/%s/%s: the rule puts it in the training split' % (label, n))
    return problems


def dev_corpus(top, heldout):
    items = [(p, label) for label in ('outreach', 'legit') for p in dev_files(top, label, heldout)]
    name = 'dev-heldout' if heldout else 'dev-train'
    return Corpus(name, items, 'tests/dev, %s split' % ('held-out' if heldout else 'training'))


# ---- the shared and fetched corpora ----

def spamassassin(cache, group, label):
    d = os.path.join(cache, 'spam-assassin', 'data', group)
    files = sorted(glob.glob(os.path.join(d, '*.txt')))
    if not files:
        return None, '%s: missing, skipped' % d
    return Corpus('sa-' + group, [(p, label) for p in files], 'SpamAssassin ' + group), None


def sms(corpus_dir, tmp):
    path = os.path.join(corpus_dir, 'sms', 'SMSSpamCollection.tsv')
    if not os.path.exists(path):
        return [], '%s: missing, skipped' % path
    ham, spam = [], []
    outdir = os.path.join(tmp, 'sms')
    os.makedirs(outdir, exist_ok=True)
    with open(path, encoding='utf-8', errors='replace') as fh:
        for n, line in enumerate(fh, 1):
            if '\t' not in line:
                continue
            label, text = line.rstrip('\n').split('\t', 1)
            if label not in ('ham', 'spam'):
                continue
            p = os.path.join(outdir, '%s-%05d.txt' % (label, n))
            with open(p, 'w', encoding='utf-8') as out:
                out.write(text + '\n')
            (ham if label == 'ham' else spam).append(p)
    return [Corpus('sms-ham', [(p, 'legit') for p in ham], 'SMS Spam Collection, ham'),
            Corpus('sms-spam', [(p, 'spam') for p in spam], 'SMS Spam Collection, spam')], None


def templates(corpus_dir, tmp):
    """The fenced blocks of templates-de/*.md, one message each (outreach)."""
    mds = sorted(glob.glob(os.path.join(corpus_dir, 'templates-de', '*.md')))
    if not mds:
        return None, '%s/templates-de: missing, skipped' % corpus_dir
    outdir = os.path.join(tmp, 'templates-de')
    os.makedirs(outdir, exist_ok=True)
    items = []
    for md in mds:
        with open(md, encoding='utf-8') as fh:
            blocks = re.findall(r'```[^\n]*\n(.*?)```', fh.read(), re.S)
        for k, block in enumerate(blocks, 1):
            p = os.path.join(outdir, '%s-%02d.txt' % (os.path.basename(md)[:-3], k))
            with open(p, 'w', encoding='utf-8') as out:
                out.write(block)
            items.append((p, 'outreach'))
    return Corpus('templates-de', items, 'German LinkedIn templates (placeholders)'), None


# ---- running the tools ----

def child_env(user_rules, rules_dir):
    """The environment for tool runs: without the user's rule overrides unless asked for."""
    env = dict(os.environ, LC_ALL='C.UTF-8')
    if not user_rules:
        # An empty configuration directory: no user rules, no user profile.
        empty = tempfile.mkdtemp(prefix='rittberger-eval-config-')
        atexit.register(shutil.rmtree, empty, True)
        env['XDG_CONFIG_HOME'] = empty
    if rules_dir:
        env['RITTBERGER_RULES'] = rules_dir
    return env


def _run(argv, files, env):
    """Run ARGV over FILES (one process, --files-from with NUL separators); return stdout text.
    Each run gets fresh XDG data, state and cache directories: detect-template's store starts
    empty, so runs do not see each other's messages, and the user's store is not touched."""
    scratch = tempfile.mkdtemp(prefix='rittberger-eval-')
    env = dict(env)
    for var in ('XDG_DATA_HOME', 'XDG_STATE_HOME', 'XDG_CACHE_HOME'):
        env[var] = os.path.join(scratch, var.lower())
        os.makedirs(env[var])
    listname = os.path.join(scratch, 'files')
    with open(listname, 'wb') as lst:
        lst.write(b''.join(os.fsencode(p) + b'\0' for p in files))
    try:
        proc = subprocess.run(argv + ['--files-from=' + listname, '-0'], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    err = proc.stderr.decode('utf-8', 'replace').strip()
    return proc.stdout.decode('utf-8', 'replace'), proc.returncode, err


def _file_of(label, known):
    """Map an output label back to its input file (mbox inputs are labelled FILE:N)."""
    if label in known:
        return label
    head, _, tail = label.rpartition(':')
    if tail.isdigit() and head in known:
        return head
    return None


def run_score(tool, files, env, weights=None):
    """score-outreach --format=tsv over FILES; return {file: record} where record has verdict,
    score, findings (list of (rule, cls, flags, weight)).  Files with no verdict are absent."""
    argv = [tool, '--format=tsv', '-e']
    for rule, w in sorted((weights or {}).items()):
        argv.append('--weight=%s=%s' % (rule, format_weight(w)))
    out, status, err = _run(argv, files, env)
    known = set(files)
    res = {}
    for line in out.splitlines():
        f = line.split('\t')
        if f[0] == 'F' and len(f) >= 10:
            path = _file_of(f[1], known)
            if path is None:
                continue
            rec = res.setdefault(path, dict(verdict=None, score=0.0, findings=[]))
            try:
                w = float(f[8])
            except ValueError:
                w = 0.0
            rec['findings'].append((f[4], f[5], f[7], w))
        elif f[0] == 'V' and len(f) >= 5:
            path = _file_of(f[1], known)
            if path is None:
                continue
            rec = res.setdefault(path, dict(verdict=None, score=0.0, findings=[]))
            rec['verdict'] = f[3]
            try:
                rec['score'] = float(f[4])
            except ValueError:
                pass
    return res, status, err


def run_detector(tool, files, env):
    """TOOL --verdict over FILES; return {file: verdict}."""
    out, status, err = _run([tool, '--verdict'], files, env)
    known = set(files)
    res = {}
    for line in out.splitlines():
        f = line.split('\t')
        if len(f) >= 2:
            path = _file_of(f[0], known)
            if path is not None:
                res[path] = f[1]
    return res, status, err


def format_weight(w):
    s = '%.2f' % w
    return '0' if s in ('0.00', '-0.00') else s.rstrip('0').rstrip('.')


# ---- features for the fit ----

META_DOUBLE, META_TRIPLE = 'SCORE_DOUBLE', 'SCORE_RITTBERGER'
CONTEXT_RULES = ('SCORE_LIST', 'SCORE_KNOWN')
INFORMAL_CLASSES, BAIT_CLASS, TEMPLATE_CLASS = ('DU', 'IHR'), 'BAIT', 'TEMPLATE'


def counted(flags):
    return 'quoted' not in flags and 'allowed' not in flags


def features(rec, caps=None):
    """The rules a message's findings fire, as score_compute counts them: a rule's counted
    findings, up to CAPS[rule] of them (the rule's cap over its weight; 1 when absent, since a
    rule without cap adds its weight once), the meta rule from the evidence classes, and the
    context rules from their findings."""
    x = {}
    classes = set()
    for rule, cls, flags, _ in rec['findings']:
        if not counted(flags):
            continue
        if cls == 'SCORE' or rule in (META_DOUBLE, META_TRIPLE):
            if rule in CONTEXT_RULES:
                x[rule] = 1.0
            continue
        x[rule] = min(x.get(rule, 0.0) + 1.0, (caps or {}).get(rule, 1.0))
        if cls in INFORMAL_CLASSES:
            classes.add('informal')
        elif cls == BAIT_CLASS:
            classes.add('bait')
        elif cls == TEMPLATE_CLASS:
            classes.add('template')
    if len(classes) == 3:
        x[META_TRIPLE] = 1.0
    elif len(classes) == 2:
        x[META_DOUBLE] = 1.0
    return x


def cap_ratios(rules):
    """{rule: cap / |weight|} for the rules whose cap lets more than one finding count."""
    out = {}
    for rid, r in rules.items():
        if r['cap'] > 0 and r['weight'] != 0 and r['cap'] > abs(r['weight']):
            out[rid] = r['cap'] / abs(r['weight'])
    return out


# ---- rule files ----

FIT_COMMENT = '# weight fitted by bench/fit-weights'

def parse_rule_files(rules_dir):
    """{rule id: dict(file, start, end, weight, weight_line, cap, tool, cls)} from rules_dir/*.rules,
    with 0-based line indexes (end exclusive; trailing comments and blank lines excluded)."""
    rules = {}
    for path in sorted(glob.glob(os.path.join(rules_dir, '*.rules'))):
        with open(path, encoding='utf-8') as fh:
            lines = fh.read().split('\n')
        current = None
        for i, raw in enumerate(lines):
            s = raw.strip()
            if not s or s.startswith('#'):
                continue
            key, _, value = s.partition(' ')
            value = value.strip()
            if key == 'rule':
                current = dict(file=path, start=i, end=i + 1, weight=0.0, weight_line=None,
                               cap=0.0, tool='', cls='', id=value, fitted=False)
                rules[value] = current
                continue
            if current is None:
                continue
            current['end'] = i + 1
            if key == 'weight':
                current['weight'] = float(value)
                current['weight_line'] = i
                current['fitted'] = i > 0 and lines[i - 1].strip().startswith(FIT_COMMENT)
            elif key == 'cap':
                current['cap'] = float(value)
            elif key == 'tool':
                current['tool'] = value
            elif key == 'class':
                current['cls'] = value
    return rules
