#!/usr/bin/env python3
# compare-email.py: compare msg-dump's decoded bodies with Python's email package over the SpamAssassin corpus.
# Copyright (C) 2026 The rittberger authors.
# SPDX-License-Identifier: GPL-3.0-or-later
"""Decode every corpus message with Python's email package (policy default,
get_body(preferencelist=('plain', 'html')), HTML stripped crudely) and with
msg-dump, normalise white space on both sides and print the messages whose
texts differ, then a summary.  Differences are expected where the two
disagree by design (msg-dump keeps every inline text part of multipart/mixed,
renders HTML more carefully, falls back to Windows-1252); the token overlap
printed with each difference tells a design difference from a bug."""

import argparse
import email
import email.policy
import html
import os
import re
import subprocess
import sys
import unicodedata

SEPARATOR = re.compile(r'^==> (.*):(\d+) <==$', re.M)


def crude_strip(text):
    text = re.sub(r'(?is)<(script|style|head|title)\b.*?</\1\s*>', ' ', text)
    text = re.sub(r'(?s)<!--.*?-->', ' ', text)
    text = re.sub(r'(?s)<[^>]*>', ' ', text)
    return html.unescape(text)


def python_body(data):
    msg = email.message_from_bytes(data, policy=email.policy.default)
    part = msg.get_body(preferencelist=('plain', 'html'))
    if part is None:
        return ''
    try:
        text = part.get_content()
    except Exception:  # unknown charsets and the like: what a careful reader would do
        payload = part.get_payload(decode=True) or b''
        text = payload.decode('utf-8', 'replace')
    if not isinstance(text, str):
        text = text.decode('utf-8', 'replace') if isinstance(text, bytes) else str(text)
    if part.get_content_type() == 'text/html':
        text = crude_strip(text)
    return text


def normalise(text):
    text = unicodedata.normalize('NFC', text).replace('\ufffd', ' ')
    return ' '.join(text.split())


def overlap(a, b):
    """Share of distinct words the two texts have in common (1.0 = same vocabulary)."""
    wa, wb = set(a.split()), set(b.split())
    if not wa and not wb:
        return 1.0
    return len(wa & wb) / len(wa | wb)


def msg_dump_bodies(msg_dump, files):
    """Map each file to msg-dump's body of its first message."""
    bodies = {}
    for i in range(0, len(files), 400):
        chunk = files[i:i + 400]
        out = subprocess.run([msg_dump, '-s', '--'] + chunk, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, check=False).stdout
        text = out.decode('utf-8', 'replace')
        marks = list(SEPARATOR.finditer(text))
        for k, m in enumerate(marks):
            end = marks[k + 1].start() if k + 1 < len(marks) else len(text)
            if m.group(2) == '0':
                bodies[m.group(1)] = text[m.end():end]
    return bodies


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--msg-dump', default=os.environ.get('MSG_DUMP', 'tests/msg-dump'))
    ap.add_argument('--corpus', default=os.path.join(
        os.environ.get('CORPUS', os.path.expanduser('~/.cache/rittberger-corpus')),
        'spam-assassin', 'data'))
    ap.add_argument('--min-overlap', type=float, default=1.0,
                    help='list only differences whose word overlap is below this (default: all)')
    args = ap.parse_args()

    if not os.path.isdir(args.corpus):
        print(f'compare-email.py: no corpus at {args.corpus}', file=sys.stderr)
        return 77
    files = sorted(os.path.join(d, f) for d, _, fs in os.walk(args.corpus)
                   for f in fs if f.endswith('.txt'))
    ours = msg_dump_bodies(args.msg_dump, files)

    same = differ = missing = python_failed = 0
    buckets = {'>= 0.9': 0, '0.5 - 0.9': 0, '< 0.5': 0}
    for path in files:
        with open(path, 'rb') as fh:
            data = fh.read()
        try:
            theirs = normalise(python_body(data))
        except Exception as exc:  # the reference itself fails on some spam
            python_failed += 1
            print(f'{path}: python email failed: {exc.__class__.__name__}')
            continue
        if path not in ours:
            missing += 1
            print(f'{path}: no output from msg-dump')
            continue
        mine = normalise(ours[path])
        if mine == theirs:
            same += 1
            continue
        differ += 1
        ratio = overlap(mine, theirs)
        buckets['>= 0.9' if ratio >= 0.9 else '0.5 - 0.9' if ratio >= 0.5 else '< 0.5'] += 1
        if ratio < args.min_overlap:
            print(f'{path}: differs, word overlap {ratio:.2f}, msg-dump {len(mine)} chars, '
                  f'python {len(theirs)} chars')
    print(f'{len(files)} messages: {same} same, {differ} differ '
          f'(word overlap {", ".join(f"{k}: {v}" for k, v in buckets.items())}), '
          f'{missing} missing from msg-dump, {python_failed} python failures')
    return 0


if __name__ == '__main__':
    sys.exit(main())
