"""Names shown in public never give away an e-mail address (issue 11): a staff account whose
username is its address and whose display name is empty answers on the question page, in the
answers Atom feed and in the API under a neutral name."""

import pytest

from portal.forums import services

from .conftest import make_user

ADDRESS = "sam.jones@facility.example"


@pytest.fixture
def staff_without_a_name(db):
    return make_user(ADDRESS, groups=("staff",), is_staff=True, display_name="")


@pytest.fixture
def answered(resident, staff_without_a_name, make_question):
    question = make_question(resident)
    services.answer_question(question, staff_without_a_name, "The turbines ran 310 hours in July.")
    return question


def test_the_question_page_does_not_show_the_address(anonymous, answered):
    page = anonymous.get(answered.get_absolute_url()).content.decode()
    assert "310 hours" in page
    assert ADDRESS not in page and "sam.jones" not in page
    assert "Portal team" in page


def test_the_answers_feed_does_not_show_the_address(anonymous, answered):
    feed = anonymous.get("/feeds/answers.atom").content.decode()
    assert "<name>Portal team</name>" in feed
    assert ADDRESS not in feed


def test_the_api_does_not_show_the_address(anonymous, answered):
    data = anonymous.get(f"/api/v1/questions/{answered.pk}/").json()
    assert data["answer"]["author_name"] == "Portal team"
    assert ADDRESS not in str(data)


def test_an_address_typed_in_as_a_display_name_is_not_shown_either(anonymous, make_question):
    someone = make_user("rosa2", display_name="rosa.parks@mail.example")
    question = make_question(someone)
    page = anonymous.get(question.get_absolute_url()).content.decode()
    assert "rosa.parks@mail.example" not in page
    assert "asked by rosa2" in page, "the username, as for anyone without a usable display name"


def test_ordinary_names_are_shown_as_they_are(resident, staff_member):
    assert staff_member.public_name == "Sam (staff)"
    assert resident.public_name == resident.display_name


def invisible_title(title):
    return title[:3] + "\u202e" + title[3:8] + "\u200b\u2066" + title[8:] + "\ufeff"


def test_bidi_overrides_and_zero_width_characters_are_stripped_from_titles(login, resident):
    from portal.forums.models import Question

    client = login(resident)
    title = "How many hours did the turbines run in July?"
    response = client.post("/forum/ask/", {"title": invisible_title(title), "body": "Details.", "topic": "energy",
                                           "website": ""})
    assert response.status_code == 302
    assert Question.objects.get().title == title


def test_an_edited_title_is_stripped_too(login, resident, make_question):
    from portal.forums.models import PostStatus

    question = make_question(resident, status=PostStatus.PENDING)  # authors edit while it waits for review
    client = login(resident)
    title = "How much water do the chillers use in August?"
    response = client.post(f"/forum/questions/{question.pk}/edit/", {
        "title": invisible_title(title), "body": question.body, "topic": question.topic, "website": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    question.refresh_from_db()
    assert question.title == title
