"""Search over questions and their official answers (full-text on PostgreSQL, a word match on SQLite)."""

from portal.forums import services
from portal.forums.models import PostStatus


def titles(response):
    return [q.title for q in response.context["page"].object_list]


def test_it_finds_questions_by_words_in_the_title_or_body(anonymous, resident, make_question):
    make_question(resident, title="Turbine emissions at night", body="Is there a smell?")
    make_question(resident, title="Water for cooling", body="Does it come from the Memphis Sand aquifer?")
    assert titles(anonymous.get("/forum/search/", {"q": "aquifer"})) == ["Water for cooling"]
    assert titles(anonymous.get("/forum/search/", {"q": "turbine emissions"})) == ["Turbine emissions at night"]


def test_it_finds_questions_by_words_in_the_official_answer(anonymous, resident, staff_member, make_question):
    q = make_question(resident, title="Where does the water come from?")
    services.answer_question(q, staff_member, "From the municipal greywater recycling plant.")
    assert titles(anonymous.get("/forum/search/", {"q": "greywater"})) == [q.title]


def test_it_never_shows_pending_or_hidden_questions(anonymous, resident, make_question):
    make_question(resident, title="Pending aquifer question", status=PostStatus.PENDING)
    make_question(resident, title="Hidden aquifer question", status=PostStatus.HIDDEN)
    assert titles(anonymous.get("/forum/search/", {"q": "aquifer"})) == []


def test_an_empty_query_shows_the_form_without_results(anonymous, question):
    response = anonymous.get("/forum/search/", {"q": ""})
    assert response.status_code == 200 and titles(response) == []


def test_odd_characters_in_a_query_do_not_break_the_search(anonymous, question):
    response = anonymous.get("/forum/search/", {"q": "gas' OR 1=1 -- & | ! :* ()"})
    assert response.status_code == 200
