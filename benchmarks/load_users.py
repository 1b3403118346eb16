"""The simulated residents of the load test (benchmarks/load.py), on asyncio + httpx.

Each user has its own client (cookies, CSRF token, session) and its own address in X-Forwarded-For,
as a reverse proxy would pass it on (the server runs with NUM_PROXIES=1). It logs in, then loops
until the deadline: one action, then a think time. Questions and votes are paced by the user
itself so that it never asks the forum's limiter for more than FORUM_RATE_LIMITS allows it: the
limits are fixed windows keyed by time // window (portal/core/ratelimit.py), so the user counts
its own posts per window exactly as the server does, and keeps one in hand for a post sent just
before a window ends and counted just after.
"""

import asyncio
import html
import random
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import httpx

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
QUESTION_LINK_RE = re.compile(r'href="(/forum/questions/(\d+)/[\w-]+/)"')
CHART_RE = re.compile(r'src="(/reports/charts/\d+/[\w-]+\.(?:png|svg))"')
VOTE_FORM = "I have this question too</button>"
VOTE_COUNTED = "Counted: you have this question too"
SEARCH_WORDS = ["water", "turbines", "grid", "noise", "battery", "NOx", "cooling", "jobs", "trucks", "July"]
API_PATHS = [
    "/api/v1/questions/",
    "/api/v1/questions/?ordering=-vote_count",
    "/api/v1/reports/",
    "/api/v1/report-versions/",
    "/api/v1/facilities/",
    "/api/v1/report-metrics/?page=1",
    "/api/v1/meetings/",
]
ASK_TITLES = [
    "How loud are the turbines at the fence line at night",
    "How much gas did the site burn this week",
    "What would the emissions be with the full grid connection",
    "How many gallons of water per day go to cooling",
    "Which hours of the day do the generators run most",
    "Is the battery charged from the grid or the turbines",
    "How does this month compare with July",
    "When will the mobile turbines leave the site",
]
# Reads a user picks from between posts and votes, with their relative weights.
READS = {
    "home": 12, "reports": 6, "report": 10, "facility": 4, "forum": 18, "question": 20,
    "search": 8, "api": 12, "meetings": 3, "stats": 2,
}


@dataclass
class Stats:
    """Every response by kind: latencies in seconds and counts by status ('timeout', 'connect', ...)."""

    latencies: dict = field(default_factory=lambda: defaultdict(list))
    statuses: dict = field(default_factory=lambda: defaultdict(Counter))
    # marker -> question URL, for each question whose post got its redirect (the server said "saved").
    questions_acked: dict = field(default_factory=dict)
    # markers whose post got no answer (an error or a timeout): saved or not, the user was not told.
    questions_unacked: set = field(default_factory=set)
    votes_confirmed: set = field(default_factory=set)
    votes_unconfirmed: set = field(default_factory=set)
    logins_failed: int = 0
    notes: list = field(default_factory=list)

    # Requests and errors per 10 s since the start, to tell the ramp from the steady state.
    timeline: dict = field(default_factory=lambda: defaultdict(Counter))
    started: float = field(default_factory=time.monotonic)

    def record(self, kind, status, seconds):
        self.statuses[kind][status] += 1
        bucket = int((time.monotonic() - self.started) // 10) * 10
        self.timeline[bucket]["requests"] += 1
        if is_error(status):
            self.timeline[bucket]["errors"] += 1
        if seconds is not None:
            self.latencies[kind].append(seconds)


def is_error(status):
    """5xx, connection errors and timeouts are errors; a 4xx is the server answering."""
    return not isinstance(status, int) or status >= 500


class RateBudget:
    """Posts left in the server's fixed windows: {(window_seconds): (limit, {window_index: used})}."""

    def __init__(self, limits):
        # Only the tightest limit per window length matters; keep one in hand for the window edge.
        self.limits = {}
        for limit, window in limits:
            self.limits[window] = min(self.limits.get(window, limit), limit)
        self.used = defaultdict(Counter)

    def available(self, now=None):
        now = time.time() if now is None else now
        return all(self.used[w][int(now // w)] < limit - 1 for w, limit in self.limits.items())

    def spend(self, now=None):
        now = time.time() if now is None else now
        for w in self.limits:
            self.used[w][int(now // w)] += 1


def budget_for(rate_limits, action, is_new):
    """The limits the server applies to one user (each simulated user has its own address)."""
    scopes = rate_limits.get(action, {})
    applicable = [scopes[s] for s in ("ip", "account") if s in scopes]
    if is_new and "new_account" in scopes:
        applicable.append(scopes["new_account"])
    return RateBudget([tuple(x) for x in applicable])


class User:
    """One simulated resident."""

    def __init__(self, n, username, password, is_new, plan, stats):
        self.n, self.username, self.password = n, username, password
        self.plan, self.stats = plan, stats
        self.rng = random.Random(f"{plan.run}-{n}")
        # Addresses from 10.0.0.0/8: one per user, as a proxy would pass them on.
        ip = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255 or 1}"
        self.client = httpx.AsyncClient(
            base_url=plan.base_url, timeout=plan.timeout, follow_redirects=False,
            headers={"X-Forwarded-For": ip, "User-Agent": "portal-load-test/1 (benchmarks/load.py)"},
            # No keep-alive, as gunicorn sees clients behind a proxy: one connection per request.
            # (Reusing one across a think time longer than gunicorn's 2 s keep-alive races the
            # server's close, which browsers paper over by retrying and httpx reports as an error.)
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=0),
        )
        self.question_budget = budget_for(plan.rate_limits, "question", is_new)
        self.vote_budget = budget_for(plan.rate_limits, "vote", is_new)
        self.asked = 0
        self.voted = set()
        self.own = set()
        self.charts_seen = False
        self.question_urls = []

    async def request(self, kind, method, url, **kwargs):
        """One request; its status (or 'timeout' / 'connect' / 'protocol') and latency are recorded."""
        started = time.perf_counter()
        try:
            response = await self.client.request(method, url, **kwargs)
            await response.aread()
        except httpx.TimeoutException:
            self.stats.record(kind, "timeout", None)
            return None
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            self.stats.record(kind, "connect" if isinstance(exc, httpx.ConnectError) else "protocol", None)
            if len(self.stats.notes) < 20:
                self.stats.notes.append(f"{kind} {url}: {type(exc).__name__}: {exc}")
            return None
        self.stats.record(kind, response.status_code, time.perf_counter() - started)
        return response

    async def get(self, kind, url, **kwargs):
        return await self.request(kind, "GET", url, **kwargs)

    async def post_form(self, kind, url, data, referer):
        """POST a form as a browser does: the token from the page, the page as Referer."""
        return await self.request(kind, "POST", url, data=data, headers={"Referer": self.plan.base_url + referer})

    @staticmethod
    def token(response):
        found = CSRF_RE.search(response.text) if response is not None else None
        return html.unescape(found.group(1)) if found else None

    # --- The session -----------------------------------------------------------------------

    async def run(self, start_at, deadline):
        try:
            await asyncio.sleep(max(0.0, start_at - time.monotonic()))
            # Like a person, try again after a pause when the log-in page fails (at most 3 times).
            for attempt in range(3):
                if await self.login():
                    break
                await asyncio.sleep(self.rng.uniform(5, 15))
            else:
                self.stats.logins_failed += 1
                return
            self.next_post = time.monotonic() + self.rng.uniform(0.1, 1.0) * self.plan.post_interval
            self.next_vote = time.monotonic() + self.rng.uniform(0.1, 1.0) * self.plan.vote_interval
            while time.monotonic() < deadline:
                now = time.monotonic()
                if now >= self.next_post and self.question_budget.available():
                    await self.ask()
                    self.next_post = time.monotonic() + self.rng.uniform(0.5, 1.5) * self.plan.post_interval
                elif now >= self.next_vote and self.vote_budget.available():
                    await self.vote()
                    self.next_vote = time.monotonic() + self.rng.uniform(0.5, 1.5) * self.plan.vote_interval
                else:
                    await self.read()
                think = self.rng.uniform(*self.plan.think)
                await asyncio.sleep(min(think, max(0.0, deadline - time.monotonic())))
        finally:
            await self.client.aclose()

    async def login(self):
        page = await self.get("login", "/accounts/login/")
        token = self.token(page)
        if token is None:
            return False
        response = await self.post_form(
            "login", "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": self.username, "password": self.password}, "/accounts/login/",
        )
        if response is None or response.status_code != 302:
            if len(self.stats.notes) < 20:
                self.stats.notes.append(f"login of {self.username} answered {getattr(response, 'status_code', 'nothing')}")
            return False
        await self.get("home", response.headers.get("location", "/"))
        return True

    async def read(self):
        kind = self.rng.choices(list(READS), weights=list(READS.values()))[0]
        if kind == "home":
            await self.get(kind, "/")
        elif kind == "reports":
            await self.get(kind, "/reports/")
        elif kind == "report":
            await self.read_report()
        elif kind == "facility":
            await self.get(kind, "/facilities/memphis-supercluster/")
        elif kind == "forum":
            await self.forum_page()
        elif kind == "question":
            url = await self.pick_question()
            if url:
                await self.get(kind, url)
        elif kind == "search":
            await self.get(kind, "/forum/search/", params={"q": self.rng.choice(SEARCH_WORDS)})
        elif kind == "api":
            await self.get(kind, self.rng.choice(API_PATHS), headers={"Accept": "application/json"})
        elif kind == "meetings":
            await self.get(kind, "/forum/meetings/")
        elif kind == "stats":
            await self.get(kind, "/forum/stats/")

    async def read_report(self):
        if not self.plan.report_url:
            await self.get("reports", "/reports/")
            return
        page = await self.get("report", self.plan.report_url)
        if page is not None and page.status_code == 200 and not self.charts_seen:
            # A browser loads the charts once; after that they are cached (immutable).
            self.charts_seen = True
            for src in dict.fromkeys(CHART_RE.findall(page.text)):
                await self.get("chart", src)

    async def forum_page(self):
        sort = self.rng.choice(["recent", "recent", "votes", "waiting"])
        page = await self.get("forum", "/forum/", params={"sort": sort})
        if page is not None and page.status_code == 200:
            links = [url for url, pk in QUESTION_LINK_RE.findall(page.text) if int(pk) not in self.own]
            if links:
                self.question_urls = links
        return page

    async def pick_question(self):
        if not self.question_urls:
            await self.forum_page()
        return self.rng.choice(self.question_urls) if self.question_urls else None

    async def ask(self):
        """Post a question whose body carries a marker no other post has."""
        form = await self.get("ask_form", "/forum/ask/")
        token = self.token(form)
        if token is None:
            return
        self.asked += 1
        marker = f"[LT{self.plan.run}-u{self.n}-q{self.asked}]"
        data = {
            "csrfmiddlewaretoken": token,
            "title": f"{self.rng.choice(ASK_TITLES)}? ({self.n}.{self.asked})",
            "body": f"I live near the site and would like to know this. {marker}",
            "topic": self.rng.choice(["energy", "air", "water", "noise", "other"]),
            "meeting": "", "report_version": "", "chart_key": "", "window_start": "", "window_end": "",
            "website": "",
        }
        self.question_budget.spend()
        response = await self.post_form("ask", "/forum/ask/", data, "/forum/ask/")
        if response is not None and response.status_code == 302:
            location = response.headers["location"]
            self.stats.questions_acked[marker] = location
            found = re.search(r"/forum/questions/(\d+)/", location)
            if found:
                self.own.add(int(found.group(1)))
            await self.get("question", location)
        elif response is None or is_error(response.status_code):
            self.stats.questions_unacked.add(marker)
        elif len(self.stats.notes) < 20:
            self.stats.notes.append(f"ask by {self.username} answered {response.status_code}: {response.text[:300]!r}")

    async def vote(self):
        """'I have this question too' on a question this user has not voted for and did not ask."""
        page = await self.forum_page()
        if page is None or page.status_code != 200:
            return
        candidates = [(url, int(pk)) for url, pk in QUESTION_LINK_RE.findall(page.text)
                      if int(pk) not in self.voted and int(pk) not in self.own]
        self.rng.shuffle(candidates)
        for url, pk in candidates[:3]:
            detail = await self.get("question", url)
            if detail is None or detail.status_code != 200 or VOTE_FORM not in detail.text:
                self.voted.add(pk)  # answered, asked by us, or voted already: not a candidate again
                continue
            self.voted.add(pk)
            self.vote_budget.spend()
            response = await self.post_form(
                "vote", f"/forum/questions/{pk}/vote/", {"csrfmiddlewaretoken": self.token(detail)}, url
            )
            key = (self.username, pk)
            if response is None or response.status_code != 302:
                self.stats.votes_unconfirmed.add(key)
                return
            # The redirect's page carries the message that says the vote was counted.
            after = await self.get("question", response.headers["location"])
            if after is not None and VOTE_COUNTED in after.text:
                self.stats.votes_confirmed.add(key)
            else:
                self.stats.votes_unconfirmed.add(key)
            return


@dataclass
class Plan:
    """What every simulated user shares."""

    base_url: str
    run: str
    rate_limits: dict
    report_url: str
    think: tuple = (3.0, 9.0)
    post_interval: float = 120.0
    vote_interval: float = 45.0
    timeout: float = 30.0


async def drive(plan, accounts, seconds, ramp_seconds, stats):
    """Run every account's session; users start evenly spread over ``ramp_seconds``."""
    begin = stats.started = time.monotonic()
    deadline = begin + ramp_seconds + seconds
    users = [User(n, name, password, is_new, plan, stats) for n, (name, password, is_new) in enumerate(accounts)]
    spacing = ramp_seconds / max(1, len(users))
    await asyncio.gather(*(u.run(begin + i * spacing, deadline) for i, u in enumerate(users)))
    return time.monotonic() - begin
