"""Atom feeds of answered questions, overall and per topic."""

import xml.etree.ElementTree as ET

from portal.forums import services

ATOM = "{http://www.w3.org/2005/Atom}"


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


# --- a feed a person can read (issue 14): Chromium shows raw XML, so the site links a page ----------


def test_the_answers_feed_names_its_stylesheet_and_its_page_for_people(anonymous, db):
    body = anonymous.get("/feeds/answers.atom").content.decode()
    head, _, rest = body.partition("<feed")
    assert head.startswith("<?xml") and '<?xml-stylesheet href="/static/core/feed.xsl" type="text/xsl"?>' in head
    related = ET.fromstring(body).find(f"{ATOM}link[@rel='related']")
    assert related.get("href") == "http://testserver/feeds/answers/" and related.get("type") == "text/html"


def test_the_answers_page_says_what_a_feed_is_and_lists_the_latest_answers(anonymous, resident, staff_member, make_question):
    answered = make_question(resident, title="Answered gas question")
    services.answer_question(answered, staff_member, "The official answer text.")
    response = anonymous.get("/feeds/answers/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "feed reader" in page
    assert 'value="http://127.0.0.1:8000/feeds/answers.atom"' in page, "the address to paste"
    # The title is what a resident wrote, shown as written (translate="no").
    assert f'href="{answered.get_absolute_url()}" translate="no">Answered gas question</a>' in page
    assert "e-mail" in page and "Follow (e-mail me the answer)" in page, "the e-mail alternative"
    assert 'rel="alternate" type="application/atom+xml" title="Community Impact Portal: answered questions" href="/feeds/answers.atom"' in page
    assert 'href="/feeds/topics/air/"' in page


def test_a_topic_feed_has_its_page_too(anonymous, resident, staff_member, make_question):
    air = make_question(resident, title="About the air", topic="air")
    water = make_question(resident, title="About the water", topic="water")
    for q in (air, water):
        services.answer_question(q, staff_member, "Answer.")
    page = anonymous.get("/feeds/topics/air/").content.decode()
    assert "About the air" in page and "About the water" not in page
    assert "/feeds/topics/air.atom" in page
    assert anonymous.get("/feeds/topics/nonsense/").status_code == 404


def test_the_question_list_links_the_feeds_pages_for_people(anonymous, question):
    page = anonymous.get("/forum/?topic=air").content.decode()
    assert '<a href="/feeds/answers/">' in page and '<a href="/feeds/topics/air/">' in page


def test_the_feed_stylesheet_is_served_as_xslt(anonymous, db):
    response = anonymous.get("/static/core/feed.xsl")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xsl"), "browsers run XSLT only from text/xsl or XML types"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b'xmlns:xsl="http://www.w3.org/1999/XSL/Transform"' in body
