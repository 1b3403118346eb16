from django.apps import AppConfig


class ForumsConfig(AppConfig):
    """Residents' questions, replies, votes, official answers, meetings and moderation."""

    name = "portal.forums"
    label = "forums"

    def ready(self):
        from portal.core.pagecache import invalidate_on

        # What the cached forum pages show. Counters and carry-overs change rows with .update()
        # and dockets are bulk-created, which send no signal: services.sync_question() and
        # meetings.freeze_docket() / _carry_over() bump the family themselves.
        invalidate_on(
            "forum", "forums.Question", "forums.Reply", "forums.Answer", "forums.Vote", "forums.Follow",
            "forums.Meeting", "forums.DocketItem", "forums.ModerationAction", "impact.Facility",
        )
        # The reports' home page shows the next public meeting (templatetags/forum_meetings.py).
        invalidate_on("reports", "forums.Meeting")
