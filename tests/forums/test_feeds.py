"""Atom feeds of answered questions, overall and per topic."""

from portal.forums import services


def test_the_answers_feed_lists_answered_questions_only(anonymous, resident, staff_member, make_question):
    answered = make_question(resident, title="Answered gas question")
    make_question(resident, title="Unanswered gas question")
    services.answer_question(answered, staff_member, "The official answer text.")
    response = anonymous.get("/feeds/answers.atom")
    body = response.content.decode()
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "Answered gas question" in body and "Unanswered gas question" not in body
    assert "The official answer text." in body


def test_the_topic_feed_lists_only_that_topic(anonymous, resident, staff_member, make_question):
    air = make_question(resident, title="About the air", topic="air")
    water = make_question(resident, title="About the water", topic="water")
    for q in (air, water):
        services.answer_question(q, staff_member, "Answer.")
    body = anonymous.get("/feeds/topics/air.atom").content.decode()
    assert "About the air" in body and "About the water" not in body


def test_an_unknown_topic_is_a_404(anonymous, db):
    assert anonymous.get("/feeds/topics/nonsense.atom").status_code == 404


def test_a_hidden_answered_question_leaves_the_feed(anonymous, resident, staff_member, moderator, make_question):
    q = make_question(resident, title="Soon hidden question")
    services.answer_question(q, staff_member, "Answer.")
    services.hide_post(q, moderator, "personal_data")
    assert "Soon hidden question" not in anonymous.get("/feeds/answers.atom").content.decode()


def test_the_question_list_links_the_feeds(anonymous, question):
    page = anonymous.get("/forum/?topic=air").content.decode()
    assert 'href="/feeds/answers.atom"' in page and 'href="/feeds/topics/air.atom"' in page
