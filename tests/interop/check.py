"""Checks fedireach's reports after a crawl of the bovine pair (tests/interop/run.sh).

usage: check.py RUN_DIR first|second A_HOST B_HOST
Reads RUN_DIR/{first,second}-{reach,posts,instances,consent}.json and the post's id
from the pair's samples; exits 1 with what differs.
"""
import json
import os
import sys

run, label, a_host, b_host = sys.argv[1:5]
failures = []


def load(kind, which=label):
    with open(os.path.join(run, f'{which}-{kind}.json')) as fh:
        return json.load(fh)


def expect(what, got, want):
    if got != want:
        failures.append(f'{what}: got {got!r}, want {want!r}')


posts = load('posts')['rows']
expect('posts: how many', len(posts), 1)
for post in posts[:1]:
    expect('post uri host', post['uri'].split('/')[2], a_host)
    expect('post actor host', post['actor'].split('/')[2], a_host)
    for kind in ('replies', 'boosts', 'likes'):
        expect(f'post {kind}', post[kind], 1)
    expect('post quotes', post['quotes'], 0)
    expect('post engagements', post['engagements'], 3)
    expect('post softwares', post['softwares'], ['bovine'])
    expect('post cross-server share', post['cross_server_share_pct'], 100.0)

reach = load('reach')['rows']
expect('reach: softwares', [r['software'] for r in reach], ['bovine'])
for row in reach[:1]:
    for kind in ('replies', 'boosts', 'likes'):
        expect(f'reach {kind}', row[kind], 1)
    expect('reach engagements', row['engagements'], 3)
    expect('reach unique engagers', row['unique_engagers'], 1)
    expect('reach unique instances', row['unique_instances'], 1)

instances = load('instances')['rows']
expect('instances', [(r['host'], r['software'], r['engagements']) for r in instances],
       [(b_host, 'bovine', 3)])

# The consent report of each crawl holds exactly one row: bob, the one engager, is
# anonymised because his actor carries no `indexable` (bovine's never do). Nothing
# refused (a 401 to a signed fetch would be `refused_signed_fetch`), nothing gone, no
# host left out.
consent = load('consent')['rows']
crawls = sorted({row['crawl_id'] for row in consent})
expect('consent: crawls reported', len(crawls), 1 if label == 'first' else 2)
for crawl in crawls:
    rows = sorted((r['subject'], r['action'], r['reason'], r['count'])
                  for r in consent if r['crawl_id'] == crawl)
    expect(f'consent rows of crawl {crawl}', rows,
           [('engager', 'anonymised', 'indexable_missing', 1)])

if label == 'second':
    for kind in ('reach', 'posts', 'instances'):
        expect(f'{kind} after a second crawl', load(kind, 'second'), load(kind, 'first'))

if failures:
    print(f'interop ({label} crawl):', *failures, sep='\n  ', file=sys.stderr)
    sys.exit(1)
again = ', nothing doubled' if label == 'second' else ''
print(f'interop ({label} crawl): the post, its reply, like and boost from {b_host} (bovine){again}')
