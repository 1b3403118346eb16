"""Every public forum page opens for a member of the public."""

import pytest


@pytest.mark.parametrize(
    "url",
    ["/forum/", "/forum/search/?q=gas", "/forum/stats/", "/forum/moderation/report/", "/forum/meetings/", "/feeds/answers.atom", "/feeds/topics/air.atom"],
)
def test_public_pages_open_for_anonymous(anonymous, question, url):
    response = anonymous.get(url)
    assert response.status_code == 200


def test_question_page_opens_for_anonymous(anonymous, question):
    response = anonymous.get(question.get_absolute_url())
    assert response.status_code == 200
    assert question.title in response.content.decode()
