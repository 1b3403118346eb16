from django.apps import AppConfig


class ForumsConfig(AppConfig):
    """Residents' questions, replies, votes, official answers, meetings and moderation."""

    name = "portal.forums"
    label = "forums"
