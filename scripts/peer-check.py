#!/usr/bin/env python3
"""An independent reference simulator of alloysim's line semantics, and a
check of alloysim against it on random lines.

The reference is written from docs/SCENARIOS.md ("How the line works"
and "Decisions at the edges"), not from alloysim's code: a plain
event-list simulation of a line with an unlimited or Poisson-like source
and its release queue, products with mixes (or released in lots) and
their own routes (which may come back to a station), parallel machines,
finite buffers and blocking after service (blocked machines released
first blocked, first served), scrap and rework (at the station itself or
back to an earlier one), failures on the operating and the calendar
basis with repair crews, planned maintenance on both bases, setups
(product change or every N parts), batch machines (size, min, max_wait;
at the first station, filled with raw parts), loading and unloading,
operators (for = "all", "load_unload" or "setup") from a pool with daily
or weekly shifts (a list of day sets and hours, overnight windows
included) or from a second pool of technicians at work around the clock,
from which repairs and maintenances may take their crews too (one or
several people each), each pool with one first-come-first-served queue,
plant closures by hours or whole days with holidays from a start date
and lights-out stations, initial WIP (measured from time 0), and moves
between stations (a move reserves a place at the next station; the part
that arrives first takes a free machine).

    scripts/peer-check.py --bin target/release/alloysim --seeds 0..30

For each seed it draws a random line, writes it as a scenario, runs
`alloysim run` and the reference with the same number of replications
(independent random numbers), and compares mean throughput, mean WIP and
mean lead time by a two-sample z statistic. A line fails when |z| > 4 (WIP
and lead time of lines whose WIP grows without bound, above 500 parts, are
not compared). With --stations it also compares each station's busy,
setup, load_unload, blocked, starved, waiting_operator, waiting_load_unload,
off_shift, down and maintenance shares, mean buffer level (not on such
lines) and good parts per hour from stations.csv; as that file
holds means only, alloysim's spread is taken as the reference's, and a
figure fails at |z| > 5 (and a difference above 0.1 %). A line found to
differ is compared again on four times the replications with new random
numbers (--confirm), alloysim's run one at a time so that every figure is
compared with both simulators' spreads, and fails only if it differs
again: a figure with a heavy tail, such as a maintenance that falls due
just after its crew's shift and waits for the next one, can be hit in a
few replications of one simulator and none of the other's, and then has
no spread in the other. With fixed seeds the outcome is the
same on every run. It takes a second or two per line
(Python).

    scripts/peer-check.py --seeds 0..10 --stations --control 1.2

is the negative control: the reference's processing times are 1.2 times
alloysim's, and the check must find at least 80 % of the lines to differ
(--min-caught), which shows it can fail.
"""
import argparse
import bisect
import copy
import csv
import heapq
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile


def rm(lst, x):
    """Removes `x` itself (not an equal dict) from `lst`."""
    for k, y in enumerate(lst):
        if y is x: del lst[k]; return
    raise KeyError('not promised')

DAYS = {'daily': range(7), 'mon-fri': range(5), 'mon-sat': range(6), 'fri-mon': (4, 5, 6, 0),
        'mon,wed,fri': (0, 2, 4), 'tue-thu': (1, 2, 3), 'sat': (5,), 'sun': (6,), 'sat-sun': (5, 6)}
def shift_windows(spec):
    """The crew's shifts as (days, start, end) in minutes of the day, or None."""
    if spec.get('shifts'): return spec['shifts']
    return [('daily',) + tuple(spec['shift'])] if spec.get('shift') else None
def closed_windows(spec):
    """The plant's weekly closed windows (end None: the whole day), or None."""
    w = [('daily',) + tuple(spec['closed'])] if spec.get('closed') else []
    if spec.get('closed_days'): w.append((spec['closed_days'], 0, None))
    return w if w or spec.get('holidays') else None
def windows(weekly, holidays, end):
    """Weekly windows (days from Monday, time 0) and whole days (`holidays`,
    day numbers) as merged [a, b) intervals of absolute time over the run;
    overlapping or touching windows merge, and a window past midnight
    runs into the next day."""
    if weekly is None: return None
    iv = [(d * 1440.0, (d + 1) * 1440.0) for d in holidays]
    for d in range(-1, int(end // 1440) + 2):
        for days, a, b in weekly:
            if d % 7 in DAYS[days]:
                e = 1440 if b is None else b if b > a else b + 1440
                iv.append((d * 1440.0 + a, d * 1440.0 + e))
    merged = []
    for a, b in sorted(iv):
        if merged and a <= merged[-1][1]: merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else: merged.append((a, b))
    return merged

class Line:
    """One replication of a line `spec` (as made by `gen`): run() returns
    the throughput per hour, the mean WIP and the mean lead time (min) of
    the measured period."""

    def __init__(self, spec, seed, warm, horizon):
        self.spec = spec; self.rng = random.Random(seed); self.t = 0.0
        self.warm = warm; self.end = warm + horizon
        self.ev = []; self.seq = 0
        self.mix = spec['mix']; self.S = spec['stations']
        self.routes = spec.get('routes') or [list(range(len(spec['stations'])))] * len(self.mix)
        self.P = {'crew': dict(free=spec.get('pool', 0), q=[]), 'techs': dict(free=spec.get('techs', 0), q=[])}
        self.st = []
        for i, s in enumerate(self.S):
            self.st.append(dict(buf=[], blocked=[], slots=0, machines=[], promised=[], tpend=None))
            for k in range(s['c']):
                m = dict(st=i, parts=[], head=0, phase='idle', down=False, reserved=False, work=0.0, seg=0.0,
                         pend=None, ttf=None, blocked=False, last=None, since_setup=0, ops=False, waiting=False,
                         mdue=False, since_m=0.0, ptime=0.0, tech=None, mcrew=None, mq=False)
                if s.get('mt') and s['mt']['basis'] == 'calendar': self.push(s['mt']['every'], 'mdue', m)
                if s.get('fail'):
                    m['ttf'] = self.draw(s['fail']['ttf'])
                    if s['fail']['basis'] == 'calendar': self.push(m['ttf'], 'calfail', m)
                self.st[i]['machines'].append(m)
        self.good = 0; self.lead_sum = 0.0; self.wip = 0; self.wip_area = 0.0; self.last = 0.0; self.measuring = False
        self.ia = spec.get('ia'); self.release = []
        self.lot = spec.get('lot'); self.credit = [0.0] * len(self.mix); self.lot_left = 0; self.orders = 0
        if self.ia: self.push(self.draw(self.ia), 'arr', None)
        self.shift = windows(shift_windows(spec), [], self.end); self.plant_waiting = []
        self.closed = windows(closed_windows(spec), spec.get('holidays', []), self.end)
        self.on_shift = self.in_window(0.0, self.shift) if self.shift is not None else True
        self.plant_open = not self.in_window(0.0, self.closed) if self.closed is not None else True
        if self.shift is not None: self.schedule_changes(self.shift, 'shift')
        if self.closed is not None: self.schedule_changes(self.closed, 'plant')
        self.setups = [0]*len(self.S)
        self.snap_t = 0.0; self.shares = [dict(busy=0.0, blocked=0.0, down=0.0, setup=0.0, load_unload=0.0, maintenance=0.0,
                                                     starved=0.0, waiting_operator=0.0, waiting_load_unload=0.0,
                                                     off_shift=0.0) for _ in self.S]
        self.buf_area = [0.0]*len(self.S); self.done = [0]*len(self.S)
    def in_window(self, t, w):
        # w: merged [a, b) intervals of absolute time, in order
        k = bisect.bisect_right(w, (t, math.inf)) - 1
        return k >= 0 and t < w[k][1]
    def schedule_changes(self, w, kind):
        for a, b in w:
            # closings before openings, both before anything else at the
            # instant, and of two alike the plant's first ('plant' <
            # 'shift'); a shift opens at a, the plant at b
            for t, opening in ((a, kind == 'shift'), (b, kind == 'plant')):
                if 0 < t <= self.end:
                    heapq.heappush(self.ev, (t, -1 if opening else -2, kind, None))
    def closed_for(self, m):
        return (not self.plant_open) and not self.S[m['st']].get('lo')
    def draw(self, d):
        k = d[0]
        if k == 'exp': return self.rng.expovariate(1.0/d[1])
        if k == 'uni': return self.rng.uniform(d[1], d[2])
        if k == 'det': return d[1]
        if k == 'logn':
            m, cv = d[1], d[2]; s2 = math.log(1+cv*cv); mu = math.log(m) - s2/2
            return self.rng.lognormvariate(mu, math.sqrt(s2))
    def push(self, t, kind, obj):
        self.seq += 1; heapq.heappush(self.ev, (t, self.seq, kind, obj))
        return self.seq
    def exit_good(self, part):
        self.area(); self.wip -= 1
        if self.measuring:
            self.good += 1; self.lead_sum += self.t - part['t0']
    def area(self):
        if self.measuring: self.wip_area += self.wip*(self.t-self.last)
        self.last = self.t
    def next_product(self):
        """The product of the next part: drawn by mix, or the next of the
        lot sequence (smooth weighted round robin over the mixes)."""
        if self.lot:
            if self.lot_left == 0:
                for k, w in enumerate(self.mix): self.credit[k] += w
                self.lot_prod = max(range(len(self.mix)), key=lambda k: (self.credit[k], -k))
                self.credit[self.lot_prod] -= sum(self.mix); self.lot_left = self.lot
            self.lot_left -= 1
            return self.lot_prod
        tot = sum(self.mix); u = self.rng.random()*tot; prod = 0
        while u >= self.mix[prod] and prod < len(self.mix)-1: u -= self.mix[prod]; prod += 1
        return prod
    def newpart(self):
        self.area(); self.wip += 1
        return dict(prod=self.next_product(), res=None, q=0.0, pos=0, t0=self.t)
    # ---- operations
    def claim(self, m, parts):
        m['parts'] = parts; m['head'] = 0; m['phase'] = 'claimed'
        self.request_start(m)
    def request_start(self, m):
        if self.closed_for(m):
            m['waiting'] = True; self.plant_waiting.append(m); return
        s = self.S[m['st']]
        if s.get('ops'):
            task = s.get('task', 'all')
            if task != 'all' and not ((task == 'lu' and s.get('ld')) or self.setup_due(m)):
                self.begin(m); return
            self.P[self.opool(m)]['q'].append((m, 'start')); m['waiting'] = True; self.serve(self.opool(m))
        else: self.begin(m)
    def setup_due(self, m):
        s = self.S[m['st']]
        if not s.get('setup'): return False
        prod = m['parts'][0]['prod']
        if s['setup']['on'] == 'change': return m['last'] is not None and m['last'] != prod
        return m['since_setup'] >= s['setup']['n']
    def opool(self, m):
        """The pool the station's operators come from."""
        return self.S[m['st']].get('opool', 'crew')
    def pool_on(self, name):
        return self.on_shift if name == 'crew' else True
    def need_count(self, m, need):
        s = self.S[m['st']]
        if need == 'repair': return s['fail'].get('n', 1)
        if need == 'maint': return s['mt'].get('n', 1)
        return s['ops']
    def take_or_queue(self, name, m, need):
        p = self.P[name]; n = self.need_count(m, need)
        if not p['q'] and self.pool_on(name) and p['free'] >= n:
            p['free'] -= n; return True
        p['q'].append((m, need)); return False
    def serve(self, name):
        p = self.P[name]
        while p['q'] and self.pool_on(name):
            m, need = p['q'][0]; n = self.need_count(m, need)
            if need in ('start', 'maint') and self.closed_for(m):
                p['q'].pop(0); m['mq'] = False; m['waiting'] = True; self.plant_waiting.append(m); continue
            if p['free'] < n: return
            p['q'].pop(0); p['free'] -= n
            if need == 'start':
                m['ops'] = True; m['waiting'] = False; self.begin(m)
            elif need == 'unload':
                m['ops'] = True; m['waiting'] = False
                if not m['down']: self.start_unload(m)
            elif need == 'repair':
                m['tech'] = name; self.push(self.t + self.draw(self.S[m['st']]['fail']['ttr']), 'repair', m)
            else:
                m['mcrew'] = name; m['mq'] = False; self.begin_maint(m)
    def release_ops(self, m):
        if m['ops']:
            m['ops'] = False; self.P[self.opool(m)]['free'] += self.S[m['st']]['ops']; self.serve(self.opool(m))
    def load_or_process(self, m):
        s = self.S[m['st']]; task = s.get('task', 'all') if s.get('ops') else None
        if task == 'setup': self.release_ops(m)
        if s.get('ld'):
            m['phase'] = 'load'; m['work'] = self.draw(s['ld']); self.segment(m); return
        if task in ('lu', 'setup'): self.release_ops(m)
        self.process(m)
    def start_unload(self, m):
        m['phase'] = 'unload'; m['work'] = self.draw(self.S[m['st']]['ul']); self.segment(m)
    def begin(self, m):
        if m['down']: return
        s = self.S[m['st']]; prod = m['parts'][0]['prod']
        due = False
        if s.get('setup'):
            rule = s['setup']['on']
            if rule == 'change': due = m['last'] is not None and m['last'] != prod
            else: due = m['since_setup'] >= s['setup']['n']
        if due:
            m['since_setup'] = 0; m['phase'] = 'setup'; m['work'] = self.draw(s['setup']['t'])
            if self.measuring: self.setups[m['st']] += 1
            self.segment(m)
        else: self.load_or_process(m)
    def process(self, m):
        s = self.S[m['st']]; prod = m['parts'][0]['prod']
        m['phase'] = 'proc'; m['last'] = prod; m['since_setup'] += len(m['parts'])
        m['work'] = self.draw(s['p'][prod] if isinstance(s['p'], list) else s['p']); m['ptime'] = m['work']
        self.segment(m)
    def segment(self, m):
        if m['down']: return
        s = self.S[m['st']]; m['seg'] = self.t
        if m['phase'] == 'proc' and s.get('fail') and s['fail']['basis'] == 'operating' and m['ttf'] < m['work']:
            m['pend'] = self.push(self.t + m['ttf'], 'fail', m)
        else: m['pend'] = self.push(self.t + m['work'], 'complete', m)
    def stop_segment(self, m):
        el = self.t - m['seg']; m['work'] -= el
        s = self.S[m['st']]
        if m['phase'] == 'proc' and s.get('fail') and s['fail']['basis'] == 'operating': m['ttf'] -= el
        m['pend'] = None
    def complete(self, m):
        self.stop_segment(m)
        if m['phase'] == 'setup': self.load_or_process(m); return
        s = self.S[m['st']]
        task = s.get('task', 'all') if s.get('ops') else None
        if m['phase'] == 'load':
            if task in ('lu', 'setup'): self.release_ops(m)
            self.process(m); return
        if m['phase'] == 'unload': self.end_operation(m); return
        if m['phase'] == 'maint':
            m['since_m'] = 0.0; m['phase'] = 'idle'
            if s['mt']['basis'] == 'calendar': self.push(self.t + s['mt']['every'], 'mdue', m)
            if m['mcrew']:
                name = m['mcrew']; m['mcrew'] = None; self.P[name]['free'] += s['mt'].get('n', 1); self.serve(name)
            self.seek(m); return
        if s.get('mt') and s['mt']['basis'] == 'operating':
            m['since_m'] += m['ptime']
            if m['since_m'] >= s['mt']['every']: m['mdue'] = True
        if s.get('ul'):
            if task == 'lu':
                m['phase'] = 'waitunload'; m['waiting'] = True; self.P[self.opool(m)]['q'].append((m, 'unload')); self.serve(self.opool(m))
            else: self.start_unload(m)
            return
        self.end_operation(m)
    def end_operation(self, m):
        s = self.S[m['st']]
        if m['ops']:
            self.P[self.opool(m)]['free'] += s['ops']; m['ops'] = False
        m['phase'] = 'leaving'
        kept = []
        for p in m['parts']:
            u = self.rng.random()
            if u < s.get('scrap', 0.0): self.area(); self.wip -= 1; continue
            route = self.routes[p['prod']]
            p['npos'] = p['pos'] + 1
            p['next'] = route[p['npos']] if p['npos'] < len(route) else len(self.S)
            if 'rw' in s and u < s.get('scrap', 0.0) + s['rw'][0]:
                # back to the last visit of that station at or before this one
                p['next'] = s['rw'][1]
                p['npos'] = max(k for k in range(p['pos'] + 1) if route[k] == p['next'])
            elif self.measuring: self.done[m['st']] += 1
            kept.append(p)
        m['parts'] = kept; m['head'] = 0
        if s.get('ops'): self.serve(self.opool(m))
        if len(kept) == 1 and kept[0]['next'] == m['st']:
            # rework, or a next visit, at the same station: an exchange with
            # the buffer (docs/SCENARIOS.md, "Decisions at the edges")
            i = m['st']; part = kept[0]; part['pos'] = part['npos']
            if self.st[i]['buf']:
                head = self.st[i]['buf'].pop(0); part['q'] = self.t; self.st[i]['buf'].append(part)
                m['parts'] = []; m['phase'] = 'idle'
                self.claim(m, [head]); return
            m['parts'] = []; m['phase'] = 'idle'; self.claim(m, [part]); return
        self.leave(m)
    def idle_machine(self, i):
        if self.S[i].get('batch'): return None
        for m in self.st[i]['machines']:
            if m['phase'] == 'idle' and not m['down'] and not m['reserved']: return m
        return None
    def has_room(self, i):
        return len(self.st[i]['buf']) + self.st[i]['slots'] < self.S[i]['b']
    def leave(self, m):
        i = m['st']
        while m['head'] < len(m['parts']):
            part = m['parts'][m['head']]
            if part['next'] == len(self.S):
                m['head'] += 1
                if self.S[i].get('tr'):
                    self.push(self.t + self.draw(self.S[i]['tr']), 'ship', part); continue
                self.exit_good(part)
                continue
            n = part['next']
            tgt = self.idle_machine(n)
            if tgt is None and not self.has_room(n):
                m['blocked'] = True; self.st[n]['blocked'].append(m); return
            m['head'] += 1
            self.handover(m, part, n, tgt)
        m['parts'] = []; m['phase'] = 'idle'; m['blocked'] = False
        self.seek(m)
    def handover(self, m, part, n, tgt):
        part['pos'] = part['npos']
        if self.S[m['st']].get('tr'):
            if tgt is not None: tgt['reserved'] = True; part['res'] = tgt; self.st[n]['promised'].append(part)
            else: self.st[n]['slots'] += 1; part['res'] = None
            self.push(self.t + self.draw(self.S[m['st']]['tr']), 'arrive', (part, n))
        else: self.place(n, part, tgt)
    def place(self, n, part, tgt):
        if tgt is not None: self.claim(tgt, [part]); return
        if not self.S[n].get('batch'):
            for q in self.st[n]['promised']:
                if not q['res']['down']:
                    mm = q['res']; mm['reserved'] = False; q['res'] = None; rm(self.st[n]['promised'], q)
                    self.st[n]['slots'] += 1; self.claim(mm, [part]); return
        part['q'] = self.t; self.st[n]['buf'].append(part)
        if self.S[n].get('batch'):
            if len(self.st[n]['buf']) == 1: self.set_timeout(n)
            for mm in self.st[n]['machines']:
                if mm['phase'] == 'idle' and not mm['down']: self.seek(mm); break
    def set_timeout(self, n):
        b = self.S[n]['batch']
        if b.get('wait') is not None and self.st[n]['buf']:
            self.st[n]['tpend'] = self.push(max(self.t, self.st[n]['buf'][0]['q'] + b['wait']), 'timeout', n)
    def arrive(self, part, n):
        own = part['res']
        if own is not None and not own['down']:
            own['reserved'] = False; part['res'] = None; rm(self.st[n]['promised'], part); self.claim(own, [part]); return
        tgt = self.idle_machine(n)
        if tgt is not None:
            if own is None: self.st[n]['slots'] -= 1
            else: own['reserved'] = False; rm(self.st[n]['promised'], part)
            part['res'] = None; self.claim(tgt, [part]); return
        for q in self.st[n]['promised']:
            if q is not part and not q['res']['down']:
                mm = q['res']; q['res'] = own
                if own is None: rm(self.st[n]['promised'], q)
                else: rm(self.st[n]['promised'], part)
                mm['reserved'] = False; part['res'] = None; self.claim(mm, [part]); return
        if own is not None:
            own['reserved'] = False; part['res'] = None; rm(self.st[n]['promised'], part); self.claim(own, [part]); return
        self.st[n]['slots'] -= 1; self.place(n, part, None)
    def seek(self, m):
        if m['down'] or m['reserved'] or m['phase'] != 'idle': return
        if m['mdue']: self.start_maint(m); return
        i = m['st']; S = self.st[i]; spec = self.S[i]
        if spec.get('batch'):
            b = spec['batch']; buf = S['buf']
            ready = len(buf) >= b['size'] or (b.get('wait') is not None and len(buf) >= b['min'] and buf and self.t - buf[0]['q'] >= b['wait'] - 1e-9)
            if i == 0 and not self.ia:
                # fills its batch with raw parts at once
                self.claim(m, [self.newpart() for _ in range(b['size'])]); return
            if not ready: return
            k = min(b['size'], len(buf)); parts = buf[:k]; del buf[:k]
            self.claim(m, parts); self.fill(i); self.set_timeout(i); return
        if S['buf']:
            part = S['buf'].pop(0); self.claim(m, [part]); self.fill(i); return
        if S['blocked']:
            up = S['blocked'].pop(0); up['blocked'] = False
            part = up['parts'][up['head']]; up['head'] += 1
            self.handover(up, part, i, m); self.leave(up); return
        if i == 0 and self.ia:
            if self.release:
                part = self.release.pop(0); part['t0'] = self.t; self.area(); self.wip += 1; self.claim(m, [part])
            return
        if i == 0: self.claim(m, [self.newpart()]); return
    def fill(self, i):
        while self.has_room(i) and (self.st[i]['blocked'] or (i == 0 and self.release)):
            if self.st[i]['blocked']:
                up = self.st[i]['blocked'].pop(0); up['blocked'] = False
                part = up['parts'][up['head']]; up['head'] += 1
                self.handover(up, part, i, None); self.leave(up)
            else:
                part = self.release.pop(0); part['t0'] = self.t; self.area(); self.wip += 1; self.place(0, part, None)
    def arrival(self):
        self.push(self.t + self.draw(self.ia), 'arr', None)
        if self.lot:
            # orders gather at the source; a complete lot is released at once
            self.orders += 1
            if self.orders < self.lot: return
            self.orders = 0
            for _ in range(self.lot): self.release_one()
            return
        self.release_one()
    def release_one(self):
        part = dict(prod=self.next_product(), res=None, q=0.0, pos=0)
        if not self.release:
            tgt = self.idle_machine(0)
            if tgt is not None: part['t0'] = self.t; self.area(); self.wip += 1; self.claim(tgt, [part]); return
            if self.has_room(0): part['t0'] = self.t; self.area(); self.wip += 1; self.place(0, part, None); return
        self.release.append(part)
    def start_maint(self, m):
        m['phase'] = 'maint'
        if self.closed_for(m): m['waiting'] = True; self.plant_waiting.append(m); return
        self.call_crew(m)
    def call_crew(self, m):
        crew = self.S[m['st']]['mt'].get('crew')
        if crew:
            if self.take_or_queue(crew, m, 'maint'): m['mcrew'] = crew; self.begin_maint(m)
            else: m['mq'] = True
            return
        self.begin_maint(m)
    def begin_maint(self, m):
        if m['down']: return
        m['mdue'] = False; m['work'] = self.draw(self.S[m['st']]['mt']['dur']); self.segment(m)
    def on_mdue(self, m):
        m['mdue'] = True
        if m['phase'] == 'idle' and not m['reserved'] and not m['down']: self.start_maint(m)
    def timeout(self, n, seq):
        if self.st[n]['tpend'] != seq: return
        for mm in self.st[n]['machines']:
            if mm['phase'] == 'idle' and not mm['down']: self.seek(mm); return
    def fail(self, m): self.stop_segment(m); self.go_down(m)
    def go_down(self, m):
        m['down'] = True
        crew = self.S[m['st']].get('crew')
        if crew:
            if self.take_or_queue(crew, m, 'repair'):
                m['tech'] = crew; self.push(self.t + self.draw(self.S[m['st']]['fail']['ttr']), 'repair', m)
            return
        self.push(self.t + self.draw(self.S[m['st']]['fail']['ttr']), 'repair', m)
    def repair(self, m):
        m['down'] = False; f = self.S[m['st']]['fail']; m['ttf'] = self.draw(f['ttf'])
        if f['basis'] == 'calendar': self.push(self.t + m['ttf'], 'calfail', m)
        ph = m['phase']
        self.resume(m, ph)
        if m['tech']:
            name = m['tech']; m['tech'] = None; self.P[name]['free'] += f.get('n', 1); self.serve(name)
    def resume(self, m, ph):
        if ph == 'maint':
            if not m['mdue']: self.segment(m)
            elif m['waiting']: pass
            elif self.S[m['st']]['mt'].get('crew') and not m['mcrew']: pass
            elif self.closed_for(m): m['waiting'] = True; self.plant_waiting.append(m)
            else: self.begin_maint(m)
        elif ph in ('proc', 'setup', 'load', 'unload'): self.segment(m)
        elif ph == 'waitunload':
            if m['ops']: self.start_unload(m)
        elif ph == 'claimed':
            if not m['waiting']:
                if self.closed_for(m): m['waiting'] = True; self.plant_waiting.append(m)
                else: self.begin(m)
        elif ph == 'idle':
            i = m['st']
            if m['reserved']:
                if self.st[i]['buf']:
                    for q in self.st[i]['promised']:
                        if q['res'] is m:
                            q['res'] = None; rm(self.st[i]['promised'], q); self.st[i]['slots'] += 1; m['reserved'] = False; break
                    self.seek(m)
            else: self.seek(m)
    def calfail(self, m):
        if m['pend'] is not None: self.stop_segment(m)
        self.go_down(m)
    def state(self, m):
        """The machine's state (docs/SCENARIOS.md, "Machine states")."""
        if m['down']: return 'down'
        ph = m['phase']
        if ph == 'proc': return 'busy'
        if ph == 'setup': return 'setup'
        if ph in ('load', 'unload'): return 'load_unload'
        if ph == 'leaving': return 'blocked'
        # planned work waits for the plant to open off shift, for its crew in maintenance
        if ph == 'maint': return 'off_shift' if m['waiting'] else 'maintenance'
        # an unloading under way is held by the pool's shift only
        if ph == 'waitunload': return 'off_shift' if self.pool_off(m) else 'waiting_load_unload'
        off = self.pool_off(m) or self.closed_for(m)
        if ph == 'claimed':
            if off: return 'off_shift'
            s = self.S[m['st']]
            return 'waiting_load_unload' if s.get('task') == 'lu' and s.get('ld') else 'waiting_operator'
        return 'off_shift' if off else 'starved'
    def pool_off(self, m):
        """The station's operators (for any task) come from a pool off shift."""
        return bool(self.S[m['st']].get('ops')) and not self.pool_on(self.opool(m))
    def snap(self, t):
        dt = t - self.snap_t; self.snap_t = t
        if dt <= 0: return
        for i, S in enumerate(self.st):
            self.buf_area[i] += len(S['buf']) * dt
            for m in S['machines']:
                k = self.state(m)
                if k: self.shares[i][k] += dt
    def run(self):
        # initial WIP: into the buffers at time 0, the free machines take
        # the first ones (stations in order)
        for i, n in sorted(self.spec.get('iw', {}).items()):
            prod = next(k for k, r in enumerate(self.routes) if i in r)
            for _ in range(n):
                self.wip += 1
                self.st[i]['buf'].append(dict(prod=prod, res=None, q=0.0, pos=self.routes[prod].index(i), t0=0.0))
            # a batch station's oldest part starts its max_wait at time 0
            if self.S[i].get('batch'): self.set_timeout(i)
        for i in sorted(set([0]) | set(self.spec.get('iw', {}))):
            for m in self.st[i]['machines']: self.seek(m)
        reset = False
        while self.ev:
            t, seq, kind, obj = heapq.heappop(self.ev)
            if t > self.end: break
            if not reset and t >= self.warm:
                self.t = self.warm; self.area(); self.measuring = True; reset = True; self.snap_t = self.warm
            if self.measuring: self.snap(t)
            self.t = t
            if kind in ('complete', 'fail') and obj['pend'] != seq: continue
            if kind == 'complete': self.complete(obj)
            elif kind == 'fail': self.fail(obj)
            elif kind == 'repair': self.repair(obj)
            elif kind == 'calfail': self.calfail(obj)
            elif kind == 'arrive': self.arrive(*obj)
            elif kind == 'timeout': self.timeout(obj, seq)
            elif kind == 'arr': self.arrival()
            elif kind == 'ship': self.exit_good(obj)
            elif kind == 'mdue': self.on_mdue(obj)
            elif kind == 'shift':
                self.on_shift = self.in_window(t, self.shift)
                self.serve('crew')
            elif kind == 'plant':
                self.plant_open = not self.in_window(t, self.closed)
                if self.plant_open:
                    w = self.plant_waiting; self.plant_waiting = []
                    for m in w:
                        m['waiting'] = False
                        if m['phase'] == 'maint':
                            if m['mcrew'] or not self.S[m['st']]['mt'].get('crew'): self.begin_maint(m)
                            else: self.call_crew(m)
                        elif m['ops']: self.begin(m)
                        else: self.request_start(m)
            else: raise ValueError(kind)
        self.t = self.end; self.area()
        if self.measuring: self.snap(self.end)
        h = self.end - self.warm
        return dict(tp=self.good/h*60, wip=self.wip_area/h, lead=self.lead_sum/max(self.good, 1),
                    setups=[x/h*60 for x in self.setups],
                    stations=[dict({k: v / (h * self.S[i]['c']) for k, v in self.shares[i].items()},
                                   buffer_mean=self.buf_area[i] / h, good=self.done[i] / h * 60)
                              for i in range(len(self.S))])


def D(d):
    """A distribution as the scenario format writes it."""
    if d[0]=='exp': return '{ dist = "exponential", mean = %r }' % d[1]
    if d[0]=='uni': return '{ dist = "uniform", min = %r, max = %r }' % (d[1], d[2])
    if d[0]=='det': return repr(d[1])
    if d[0]=='logn': return '{ dist = "lognormal", mean = %r, cv = %r }' % (d[1], d[2])
def pdist(r, m):
    return r.choice([('exp', m), ('uni', 0.5*m, 1.5*m), ('logn', m, 0.7)])
def gen(seed):
    """A random line: stations, products and routes, features."""
    r = random.Random(seed); n = r.randint(2, 4)
    nprod = r.choice([1, 2]); mix = [1.0] if nprod == 1 else [1.0, round(r.uniform(0.3, 2), 2)]
    spec = dict(mix=mix, stations=[])
    pool = r.randint(2, 4) if r.random() < 0.7 else 0
    if pool: spec['pool'] = pool
    if pool and r.random() < 0.7:
        a = r.randint(0, 10) * 60; spec['shift'] = (a, (a + r.randint(8, 18) * 60) % 1440)
    if r.random() < 0.4: spec['ia'] = 'pending'
    if r.random() < 0.5: spec['techs'] = r.randint(1, 2)
    if r.random() < 0.6:
        a = r.randint(0, 23) * 60; spec["closed"] = (a, (a + r.randint(2, 8) * 60) % 1440)
    for i in range(n):
        s = {}
        batch = i > 0 and r.random() < 0.3
        c = r.choice([1, 1, 2]) if batch else r.choice([1, 1, 2, 3])
        s['c'] = c
        if batch:
            size = r.randint(2, 6); s['batch'] = dict(size=size, min=r.randint(1, size), wait=(r.uniform(2, 20) if r.random() < 0.6 else None))
            m = r.uniform(0.6, 1.4) * c * size * 0.9
        else:
            m = r.uniform(0.6, 1.4) * c
        s['p'] = pdist(r, m) if nprod == 1 or r.random() < 0.5 else [pdist(r, m), pdist(r, m * r.uniform(0.6, 1.4))]
        s['b'] = (r.choice([0, 2, 5, 10**9]) if spec.get('ia') else 10**9) if i == 0 else r.choice([0, 1, 2, 4, 10**9]) if not batch else r.choice([s['batch']['size'], 2*s['batch']['size'], 10**9])
        if r.random() < 0.4:
            s['fail'] = dict(ttf=('exp', r.uniform(30, 150)), ttr=('exp', r.uniform(3, 12)), basis=r.choice(['operating', 'calendar']))
        crews = (['techs'] if spec.get('techs') else []) + (['crew'] if pool else [])
        if 'fail' in s and crews and r.random() < 0.6: s['crew'] = r.choice(crews)
        if r.random() < 0.25:
            s['mt'] = dict(every=r.uniform(50, 300), dur=r.choice([('exp', r.uniform(3, 15)), ('uni', 2.0, r.uniform(5, 20))]), basis=r.choice(['operating', 'calendar']))
            if crews and r.random() < 0.5: s['mt']['crew'] = r.choice(crews)
        if r.random() < 0.25: s['scrap'] = round(r.uniform(0, 0.08), 3)
        if i < n-1 and r.random() < 0.3: s['tr'] = r.choice([('exp', r.uniform(0.5, 5)), ('uni', 0.0, r.uniform(1, 8))])
        if r.random() < 0.35:
            on = 'change' if nprod == 2 and r.random() < 0.6 else 'every'
            s['setup'] = dict(on=on, t=('exp', r.uniform(0.5, 6)), n=r.randint(3, 20))
        if pool and r.random() < 0.5: s['ops'] = r.randint(1, min(2, pool))
        if spec.get('closed') and r.random() < 0.25: s['lo'] = True
        if 'ops' in s: s['task'] = r.choice(['all', 'lu', 'setup'])
        if r.random() < 0.4: s['ld'] = r.choice([('exp', r.uniform(0.1, 1.0)), ('uni', 0.1, r.uniform(0.3, 1.5))])
        if r.random() < 0.4: s['ul'] = r.choice([('exp', r.uniform(0.1, 1.0)), ('uni', 0.1, r.uniform(0.3, 1.5))])
        spec['stations'].append(s)
    for x in spec['stations']:
        if x.get('crew') == 'crew' and x.get('ops') and x.get('task') == 'all':
            spec['pool'] = max(spec['pool'], x['ops'] + 1)
    if spec.get('ia'):
        load = max((x['p'][1] if not isinstance(x['p'], list) else x['p'][0][1]) / x['c'] / (x['batch']['size'] if 'batch' in x else 1) for x in spec['stations'])
        spec['ia'] = ('exp', load * r.uniform(0.9, 2.0))
    if nprod == 2 and n >= 3 and r.random() < 0.7:
        routes = []
        for k in range(2):
            rest = [j for j in range(1, n) if r.random() < 0.6] or [r.randint(1, n - 1)]
            routes.append([0] + rest)
        spec['routes'] = routes
    for i, s in enumerate(spec['stations']):
        if i >= 1 and 'batch' not in s and r.random() < 0.5:
            dests = [i] + ([] if spec.get('routes') else [j for j in range(i) if 'batch' not in spec['stations'][j] and spec['stations'][j]['b'] >= 10**9])
            s['rw'] = (round(r.uniform(0.05, 0.3), 3), r.choice(dests))
    # Drawn last, so that the lines above stay as they were.
    if nprod == 2 and r.random() < 0.4:
        spec['lot'] = r.randint(2, 8)
    if spec.get('routes') and r.random() < 0.4:
        # a route that comes back to a station (given an unbounded buffer,
        # so that the loop cannot lock)
        route = spec['routes'][r.randint(0, 1)]
        back = [j for j in route[1:] if 'batch' not in spec['stations'][j]]
        if back:
            j = r.choice(back); route.append(j); spec['stations'][j]['b'] = 10**9
    first = spec['stations'][0]
    reworked_to_first = any(x.get('rw', (0, -1))[1] == 0 for x in spec['stations'])
    if 'batch' not in first and not reworked_to_first and r.random() < 0.2:
        size = r.randint(2, 5)
        first['batch'] = dict(size=size, min=size, wait=None)
        first['c'] = min(first['c'], 2)
        scale = lambda d: (d[0], d[1] * size * 0.9) + ((d[2] * size * 0.9,) if d[0] == 'uni' else d[2:])
        first['p'] = [scale(d) for d in first['p']] if isinstance(first['p'], list) else scale(first['p'])
        if spec.get('ia'): first['b'] = max(first['b'], size)
    # Weekly shifts and closures, holidays, crews of two, initial WIP.
    if spec.get('shift') and r.random() < 0.4:
        a, b = spec.pop('shift')
        spec['shifts'] = [(r.choice(['mon-fri', 'mon-sat', 'fri-mon', 'mon,wed,fri']), a, b)]
        if r.random() < 0.5:
            c = r.randint(0, 23) * 60
            spec['shifts'].append((r.choice(['sat', 'sun', 'tue-thu']), c, (c + r.randint(4, 10) * 60) % 1440))
    if spec.get('closed') and r.random() < 0.4: spec['closed_days'] = r.choice(['sun', 'sat-sun'])
    if r.random() < 0.2: spec['holidays'] = sorted(r.sample(range(10), r.randint(1, 2)))
    for x in spec['stations']:
        for key, crew in (('fail', x.get('crew')), ('mt', x.get('mt', {}).get('crew'))):
            if crew and r.random() < 0.4:
                x[key]['n'] = 2
                spec['techs' if crew == 'techs' else 'pool'] = max(spec['techs' if crew == 'techs' else 'pool'], 2)
    for x in spec['stations']:
        if x.get('ops') and x.get('task') == 'all':
            for key, crew in (('fail', x.get('crew')), ('mt', x.get('mt', {}).get('crew'))):
                if crew == 'crew': spec['pool'] = max(spec['pool'], x['ops'] + x[key].get('n', 1))
    if len(spec['stations']) > 1 and r.random() < 0.3:
        spec['iw'] = {}
        visited = sorted(set(j for route in spec['routes'] for j in route[1:])) if spec.get('routes') else list(range(1, len(spec['stations'])))
        for i in r.sample(visited, r.randint(1, len(visited))):
            x = spec['stations'][i]
            room = x['b'] + (0 if 'batch' in x else x['c'])
            spec['iw'][i] = r.randint(1, min(room, 12))
    # Operators from the technicians' pool too (always at work).
    if spec.get('techs'):
        for x in spec['stations']:
            if x.get('ops') and r.random() < 0.4: x['opool'] = 'techs'
        # Enough technicians that every machine can hold its operators
        # while one crew works: a machine that holds its operators while
        # it waits for its repair cannot lock the pool.
        held = sum(x['c'] * x['ops'] for x in spec['stations'] if x.get('opool'))
        crews = [x[k].get('n', 1) for x in spec['stations'] for k, crew in (('fail', x.get('crew')), ('mt', x.get('mt', {}).get('crew'))) if crew == 'techs']
        if held: spec['techs'] = max(spec['techs'], held + max(crews or [0]))
    # People with a machine when it breaks down stay until it is repaired:
    # operators there for a setup, loading or unloading, and a maintenance
    # crew, under calendar-basis failures. With the repair crew from the
    # same pool both must fit in it (alloysim refuses the line otherwise).
    # No draws here, so that every other line stays as it was.
    size_key = lambda name: 'techs' if name == 'techs' else 'pool'
    for x in spec['stations']:
        crew = x.get('crew')
        if not crew or x['fail']['basis'] != 'calendar': continue
        n = x['fail'].get('n', 1)
        if x.get('mt', {}).get('crew') == crew:
            spec[size_key(crew)] = max(spec[size_key(crew)], x['mt'].get('n', 1) + n)
        asks = x.get('task') == 'lu' and (x.get('ld') or x.get('ul') or x.get('setup')) or x.get('task') == 'setup' and x.get('setup')
        if x.get('ops') and asks and x.get('opool', 'crew') == crew:
            spec[size_key(crew)] = max(spec[size_key(crew)], x['ops'] + n)
    # Across stations: the people that machines down at once can hold,
    # with the pool's largest request waiting first (first come, first
    # served), must leave room for it, else that request holds up the
    # repairs behind it for good (alloysim warns, and stops such a run as
    # deadlocked). Again no draws.
    for pool in ('crew', 'techs'):
        if pool == 'techs' and not spec.get('techs'): continue
        held = 0; need = 0
        for x in spec['stations']:
            asks = x.get('task', 'all') == 'all' or x.get('task') == 'lu' and (x.get('ld') or x.get('ul') or x.get('setup')) or x.get('task') == 'setup' and x.get('setup')
            ops = x.get('ops') if x.get('ops') and asks and x.get('opool', 'crew') == pool else 0
            mt = x['mt'].get('n', 1) if x.get('mt', {}).get('crew') == pool else 0
            need = max(need, ops, mt)
            if x.get('crew') != pool: continue
            need = max(need, x['fail'].get('n', 1))
            calendar = x['fail']['basis'] == 'calendar'
            hold = max(ops if x.get('task', 'all') == 'all' or calendar else 0, mt if calendar else 0)
            held += x['c'] * hold
        if held: spec[size_key(pool)] = max(spec[size_key(pool)], held + need)
    return spec
def toml(spec, reps, warm, hor, seed):
    """The line `spec` as an alloysim scenario file."""
    S = spec['stations']; route = ', '.join('"S%d"' % i for i in range(len(S)))
    t = f'[scenario]\nname = "peer"\nwarmup = {warm}\nhorizon = {hor}\nreplications = {reps}\nseed = {seed}\n'
    for k, mx in enumerate(spec['mix']):
        rt = ', '.join('"S%d"' % j for j in spec['routes'][k]) if spec.get('routes') else route
        t += f'[[products]]\nname = "P{k}"\nmix = {mx}\nroute = [{rt}]\n'
    if spec.get('ia'): t += f'[source]\nmode = "interarrival"\ninterarrival = {D(spec["ia"])}\n'
    elif spec.get('lot'): t += '[source]\n'
    if spec.get('lot'): t += f'lot_size = {spec["lot"]}\n'
    if spec.get('techs'): t += f'[[pools]]\nname = "techs"\nsize = {spec["techs"]}\n'
    hm = lambda x: '%02d:%02d' % (x // 60, x % 60)
    if spec.get('pool'):
        t += f'[[pools]]\nname = "crew"\nsize = {spec["pool"]}\n'
        if shift_windows(spec):
            t += 'shifts = [ ' + ', '.join(f'{{ days = "{d}", start = "{hm(a)}", end = "{hm(b)}" }}' for d, a, b in shift_windows(spec)) + ' ]\n'
    if closed_windows(spec) is not None:
        t += '[calendar]\n'
        if spec.get('holidays'):
            # time 0 is Monday 2026-11-30
            t += 'start_date = "2026-11-30"\nholidays = [' + ', '.join('"2026-%02d-%02d"' % ((11, 30) if d == 0 else (12, d)) for d in spec['holidays']) + ']\n'
        t += 'closed = [ ' + ', '.join(f'{{ days = "{d}" }}' if b is None else f'{{ days = "{d}", start = "{hm(a)}", end = "{hm(b)}" }}' for d, a, b in closed_windows(spec)) + ' ]\n'
    if spec.get('iw'): t += '[initial_wip]\n' + ''.join(f'S{i} = {n}\n' for i, n in sorted(spec['iw'].items()))
    for i, s in enumerate(S):
        t += f'[[stations]]\nname = "S{i}"\nmachines = {s["c"]}\n'
        if isinstance(s['p'], list): t += f'process = {D(s["p"][0])}\nprocess_by_product = {{ P1 = {D(s["p"][1])} }}\n'
        else: t += f'process = {D(s["p"])}\n'
        if i > 0 or spec.get('ia'): t += 'buffer = %s\n' % ('"inf"' if s['b'] >= 10**9 else s['b'])
        if 'fail' in s: t += 'failures = { ttf = %s, ttr = %s, basis = "%s"%s }\n' % (D(s['fail']['ttf']), D(s['fail']['ttr']), s['fail']['basis'], (', repair = { pool = "%s", count = %d }' % (s['crew'], s['fail'].get('n', 1))) if s.get('crew') else '')
        if 'mt' in s: t += 'maintenance = { every = %r, duration = %s, basis = "%s"%s }\n' % (s['mt']['every'], D(s['mt']['dur']), s['mt']['basis'], (', pool = "%s", count = %d' % (s['mt']['crew'], s['mt'].get('n', 1))) if s['mt'].get('crew') else '')
        if 'scrap' in s: t += f'scrap = {s["scrap"]}\n'
        if 'tr' in s: t += f'transfer = {D(s["tr"])}\n'
        if 'batch' in s:
            b = s['batch']; t += f'batch = {{ size = {b["size"]}, min = {b["min"]}' + (f', max_wait = {b["wait"]}' if b['wait'] else '') + ' }\n'
        if 'setup' in s:
            st = s['setup']
            t += f'setup = {{ time = {D(st["t"])}, on = "product_change" }}\n' if st['on'] == 'change' else f'setup = {{ time = {D(st["t"])}, on = "every", every = {st["n"]} }}\n'
        if 'ops' in s: t += f'operators = {{ pool = "{s.get("opool", "crew")}", count = {s["ops"]}, for = "{ {"all": "all", "lu": "load_unload", "setup": "setup"}[s["task"]] }" }}\n'
        if 'ld' in s: t += f'load = {D(s["ld"])}\n'
        if 'ul' in s: t += f'unload = {D(s["ul"])}\n'
        if s.get('lo'): t += 'lights_out = true\n'
        if 'rw' in s: t += f'rework = {{ prob = {s["rw"][0]}, to = "S{s["rw"][1]}" }}\n'
    return t


def ci(values):
    return statistics.mean(values), statistics.stdev(values) / math.sqrt(len(values))


def compare(args, spec, ref_spec, folder, out_name, seeds, warm, horizon, ref_seeds):
    """Runs alloysim on the scenario in `folder` and the reference
    (`ref_spec`, one replication per seed of `ref_seeds`) and compares them.

    With `seeds` None alloysim runs the scenario's own replications at once;
    stations.csv then holds each station's means only, and alloysim's spread
    of a station figure is taken as the reference's. With a list of seeds it
    runs one replication per seed, so that every figure is compared with
    both simulators' spreads. Returns (report, differs, z values, flat
    figures), or None when alloysim fails."""
    runs = [None] if seeds is None else seeds
    rows = []; station_runs = []
    for k, seed in enumerate(runs):
        target = os.path.join(folder, out_name) if seed is None else os.path.join(folder, out_name, str(k))
        extra = [] if seed is None else ["-r", "1", "--seed", str(seed)]
        run = subprocess.run(
            [args.bin, "run", os.path.join(folder, "line.toml"), "-q", "--no-charts", "-o", target] + extra,
            capture_output=True, text=True)
        if run.returncode != 0:
            print(f"{os.path.basename(folder).replace('line', 'line ')}: alloysim failed ({run.returncode}): {run.stderr[:400]}")
            return None
        with open(os.path.join(target, "replications.csv")) as f:
            rows.extend(csv.DictReader(f))
        with open(os.path.join(target, "stations.csv")) as f:
            station_runs.append({r["station"]: r for r in csv.DictReader(f)})
    reference = [Line(ref_spec, s, warm, horizon).run() for s in ref_seeds]
    report = []; differs = False; zs = []; flat = []; figures = {}
    unstable = statistics.mean(float(r["wip_mean"]) for r in rows) > 500
    for name, ours, theirs in [
        ("throughput/h", [float(r["throughput_per_h"]) for r in rows], [r["tp"] for r in reference]),
        ("WIP", [float(r["wip_mean"]) for r in rows], [r["wip"] for r in reference]),
        ("lead time", [float(r["lead_time_mean_min"] or "nan") for r in rows], [r["lead"] for r in reference]),
    ]:
        if name == "lead time" and (
            any(math.isnan(v) for v in ours) or min(r["tp"] for r in reference) == 0
        ):
            continue  # a replication without a good part has no lead time
        (ma, sa), (mb, sb) = ci(ours), ci(theirs)
        z = (ma - mb) / math.sqrt(sa * sa + sb * sb + 1e-18)
        # Lines whose WIP grows without bound have no steady state to compare.
        bad = abs(z) > 4.0 and not (name != "throughput/h" and unstable)
        differs |= bad
        report.append(f"{name} {ma:.3f} vs {mb:.3f} (z {z:+.2f}){' DIFFERS' if bad else ''}")
    if args.stations:
        for i in range(len(spec["stations"])):
            for key, col in [("busy", "busy"), ("blocked", "blocked"), ("down", "down"), ("setup", "setup"),
                             ("load_unload", "load_unload"), ("maintenance", "maintenance"),
                             ("starved", "starved"), ("waiting_operator", "waiting_operator"),
                             ("waiting_load_unload", "waiting_load_unload"), ("off_shift", "off_shift"),
                             ("buffer_mean", "buffer_mean"), ("good", "throughput_per_h")]:
                if unstable and key == "buffer_mean": continue
                theirs = [r["stations"][i][key] for r in reference]
                ours = [float(srows[f"S{i}"][col] or 0) for srows in station_runs]
                mb, sb = ci(theirs)
                if len(ours) > 1:
                    ma, sa = ci(ours)
                    z = (ma - mb) / math.sqrt(sa * sa + sb * sb + 1e-12)
                else:
                    # alloysim's spread is taken as the reference's (the same model)
                    ma, sa = ours[0], sb
                    z = (ma - mb) / math.sqrt(2 * sb * sb + 1e-12)
                # a figure that varies in neither (a share that is always
                # 0) has no spread to scale by: it is judged by the
                # difference alone
                if sa > 0 or sb > 0: zs.append(z)
                else: flat.append((ma, mb))
                figures[f"S{i}.{key}"] = f"S{i}.{key} {ma:.4f} vs {mb:.4f} (z {z:+.1f})"
                if abs(z) > 5.0 and abs(ma - mb) > 1e-3 * max(1.0, abs(mb)):
                    report.append(f"S{i}.{key} {ma:.4f} vs {mb:.4f} (z {z:+.1f}) DIFFERS")
                    differs = True
    return report, differs, zs, flat, figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default="target/release/alloysim")
    parser.add_argument("--seeds", default="0..30", help="A..B: lines A to B-1")
    parser.add_argument("--reps", type=int, default=12)
    parser.add_argument("--horizon", type=int, default=15000, help="minutes")
    parser.add_argument("--stations", action="store_true", help="also compare each station's state shares (all ten states), buffer mean and good/h")
    parser.add_argument("--keep", help="a folder to keep the scenarios and results in")
    parser.add_argument("--control", type=float, metavar="FACTOR",
                        help="negative control: the reference's processing times are FACTOR times "
                             "alloysim's, and at least --min-caught of the lines must be found to differ")
    parser.add_argument("--min-caught", type=float, default=0.8, metavar="SHARE",
                        help="with --control, the share of lines that must be found to differ")
    parser.add_argument("--confirm", type=int, default=4, metavar="K",
                        help="a line found to differ is compared again on K times the replications, "
                             "with new random numbers, and differs only if it differs again (1: no second look)")
    args = parser.parse_args()
    first, last = (int(x) for x in args.seeds.split(".."))
    out = args.keep or tempfile.mkdtemp(prefix="peer-check-")
    failed = []; zs = []; flat = []
    for seed in range(first, last):
        spec = gen(seed)
        # a line that starts with parts in it is measured from time 0, over
        # a horizon short enough for the start to count
        warm, horizon = (0, min(args.horizon, 3000)) if spec.get('iw') else (500, args.horizon)
        text = toml(spec, args.reps, warm, horizon, seed)
        folder = os.path.join(out, f"line{seed}")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "line.toml"), "w") as f:
            f.write(text)
        ref_spec = scaled(spec, args.control) if args.control else spec
        stage = compare(args, spec, ref_spec, folder, "out", None, warm, horizon,
                        [1000 * seed + k for k in range(args.reps)])
        if stage is None:
            failed.append(seed)
            continue
        report, bad, line_zs, line_flat, _ = stage
        zs.extend(line_zs); flat.extend(line_flat)
        if bad and args.confirm > 1:
            # A figure with a heavy tail (a long wait that a few replications
            # hit) can differ by chance in one simulator's replications and
            # not the other's; a real difference stays on more of them.
            reps = args.reps * args.confirm
            again = compare(args, spec, ref_spec, folder, "out-confirm",
                            [1_000_000 * (seed + 1) + k for k in range(reps)], warm, horizon,
                            [1000 * seed + args.reps + k for k in range(reps)])
            if again is None or again[1]:
                report.append(f"confirmed on {reps} replications (new random numbers, both spreads): " +
                              ("alloysim failed" if again is None else
                               "; ".join(r for r in again[0] if "DIFFERS" in r)))
            else:
                # The line's figures, and each station figure that differed
                # at the first look, as the second look found them.
                differed = [r.split(" ")[0] for r in report if "DIFFERS" in r and r.startswith("S")]
                report.append(f"not confirmed on {reps} replications (new random numbers, both spreads): " +
                              ", ".join(again[0][:3] + [again[4][name] for name in differed if name in again[4]]))
                bad = False
        if bad:
            failed.append(seed)
        print(f"line {seed}: " + " | ".join(report), flush=True)
    if args.control:
        caught = len(failed)
        print(f"negative control (the reference's processing times x {args.control}): "
              f"{caught} of {last - first} lines found to differ")
        sys.exit(0 if caught >= args.min_caught * (last - first) else 1)
    print(f"{last - first - len(failed)} of {last - first} lines agree" + (f"; differ: {failed} (scenarios in {out})" if failed else ""))
    if zs:
        print(f"station figures: {len(zs)} z values, mean {statistics.mean(zs):+.2f}, sd {statistics.pstdev(zs):.2f}, largest |z| {max(map(abs, zs)):.2f}"
              + (f"; {len(flat)} without spread in the reference, largest difference {max(abs(a - b) for a, b in flat):.2e}" if flat else ""))
    sys.exit(1 if failed else 0)


def scaled(spec, factor):
    """A copy of `spec` whose processing times are `factor` times as long."""
    def dist(d):
        if d[0] == 'logn': return ('logn', d[1] * factor, d[2])
        return (d[0],) + tuple(v * factor for v in d[1:])
    out = copy.deepcopy(spec)
    for s in out['stations']:
        s['p'] = [dist(d) for d in s['p']] if isinstance(s['p'], list) else dist(s['p'])
    return out


if __name__ == "__main__":
    main()
