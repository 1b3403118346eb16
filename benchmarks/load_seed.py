"""Database side of the load test (benchmarks/load.py): seed accounts and content, count rows.

Run by load.py in a subprocess with the same environment as the web server, so it writes to the
load test's own database:

    python benchmarks/load_seed.py seed --users 200 --run RUN_ID --new-share 0.1
    python benchmarks/load_seed.py count --run RUN_ID

Each prints one JSON object on its last line of output.
"""

import argparse
import datetime as dt
import json
import os
import random
import re
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from portal.accounts import roles  # noqa: E402
from portal.forums import services  # noqa: E402
from portal.forums.models import Question, Topic, Vote  # noqa: E402

PASSWORD = "load-test-Password-7319"
USERNAME = "load{run}u{n:03d}"
# Every question the simulated users post carries this in its body; load.py makes the rest unique.
MARKER_RE = r"\[LT{run}-u\d+-q\d+\]"

# Questions a resident of the Boxtown / Westwood area might ask; seeded so there is a forum to read.
SEED_TITLES = [
    ("How many hours did the gas turbines run in July?", Topic.AIR),
    ("How much water do the cooling towers draw on a hot day?", Topic.WATER),
    ("What share of the power came from the grid last month?", Topic.ENERGY),
    ("Are the generators quieter at night than during the day?", Topic.NOISE),
    ("How many trucks deliver to the site each week?", Topic.TRAFFIC),
    ("How many local people work at the data centre?", Topic.JOBS),
    ("What is the NOx estimate for the mobile turbines?", Topic.AIR),
    ("Does the battery cut the hours the turbines run?", Topic.ENERGY),
    ("Where does the cooling water go after use?", Topic.WATER),
    ("Will the new substation change the generator hours?", Topic.ENERGY),
]


def seed(n_users, run, new_share, n_questions):
    """Create the simulated users, a staff answerer and a forum of ``n_questions`` (a third answered)."""
    User = get_user_model()
    now = timezone.now()
    resident, _ = Group.objects.get_or_create(name=roles.RESIDENT)
    staff_group, _ = Group.objects.get_or_create(name=roles.STAFF)
    # One Argon2 hash for everyone: hashing 200 passwords one by one would take a minute.
    password_hash = make_password(PASSWORD)
    rng = random.Random(run)
    n_new = round(n_users * new_share)
    with transaction.atomic():
        staff = User.objects.create(
            username=f"load{run}staff", email=f"load{run}staff@example.org", display_name="Portal analyst",
            is_active=True, email_verified_at=now, password=password_hash,
        )
        staff.groups.add(staff_group)
        author = User.objects.create(
            username=f"load{run}seed", email=f"load{run}seed@example.org", display_name="Seed resident",
            is_active=True, is_trusted=True, email_verified_at=now, password=password_hash,
            date_joined=now - dt.timedelta(days=90),
        )
        author.groups.add(resident)
        users = []
        for n in range(n_users):
            # The first n_new are new accounts (joined yesterday, not trusted): their posts wait for
            # review and the tighter new-account limits apply to them. The others are established.
            is_new = n < n_new
            users.append(User(
                username=USERNAME.format(run=run, n=n), email=f"load{run}u{n:03d}@example.org",
                display_name=f"Load resident {n}", neighbourhood=rng.choice(["Boxtown", "Westwood", "Whitehaven"]),
                is_active=True, is_trusted=not is_new, email_verified_at=now, password=password_hash,
                date_joined=now - dt.timedelta(days=1 if is_new else 60),
            ))
        User.objects.bulk_create(users)
        created = User.objects.filter(username__startswith=f"load{run}u")
        resident.user_set.add(*created)

    from impact.models import ReportVersion

    version = ReportVersion.objects.order_by("-published_at").first()
    questions = []
    for i in range(n_questions):
        title, topic = SEED_TITLES[i % len(SEED_TITLES)]
        questions.append(services.ask_question(
            author, title=f"{title} (seed {i + 1})", topic=topic,
            body=f"Seeded question {i + 1}. I live two streets from the site and would like to know.",
            report_version=version if i % 4 == 0 else None,
        ))
    for question in questions[::3]:
        services.answer_question(question, staff, "The July report answers this: see its figures and methods.", version)

    return {
        "usernames": [u.username for u in created.order_by("username")],
        "new_usernames": [u.username for u in created.order_by("username")][:n_new],
        "password": PASSWORD,
        "question_ids": [q.pk for q in questions],
        "report_url": version.get_absolute_url() if version else "",
        "rate_limits": settings.FORUM_RATE_LIMITS,
    }


def count(run):
    """The rows the simulated users left: every marker found in a question body, and their votes."""
    pattern = re.compile(MARKER_RE.format(run=re.escape(run)))
    markers = {}
    statuses = {}
    for body, status in Question.objects.filter(body__contains=f"[LT{run}-").values_list("body", "status"):
        for marker in pattern.findall(body):
            markers[marker] = markers.get(marker, 0) + 1
        statuses[status] = statuses.get(status, 0) + 1
    votes = Vote.objects.filter(user__username__startswith=f"load{run}u")
    return {
        "question_markers": markers,
        "question_statuses": statuses,
        "votes": [[v.user.username, v.question_id] for v in votes.select_related("user")],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("seed")
    s.add_argument("--users", type=int, required=True)
    s.add_argument("--run", required=True)
    s.add_argument("--new-share", type=float, default=0.1)
    s.add_argument("--questions", type=int, default=60)
    c = sub.add_parser("count")
    c.add_argument("--run", required=True)
    args = parser.parse_args()
    if args.command == "seed":
        result = seed(args.users, args.run, args.new_share, args.questions)
    else:
        result = count(args.run)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
