"""Similar questions are suggested while a title is typed, and without JavaScript on request."""

from portal.forums.models import PostStatus


def test_the_json_endpoint_suggests_published_questions_sharing_words(anonymous, resident, make_question):
    make_question(resident, title="How much water does the cooling plant use?")
    make_question(resident, title="Will the turbines be removed next year?")
    response = anonymous.get("/forum/similar/", {"q": "cooling water use per day"})
    titles = [r["title"] for r in response.json()["results"]]
    assert titles == ["How much water does the cooling plant use?"]


def test_pending_and_hidden_questions_are_never_suggested(anonymous, resident, make_question):
    make_question(resident, title="Secret pending cooling water question", status=PostStatus.PENDING)
    make_question(resident, title="Hidden cooling water question", status=PostStatus.HIDDEN)
    assert anonymous.get("/forum/similar/", {"q": "cooling water question"}).json()["results"] == []


def test_without_javascript_the_check_button_lists_them_and_saves_nothing(login, resident, another_resident, make_question):
    make_question(another_resident, title="How much water does the cooling plant use?")
    response = login(resident).post(
        "/forum/ask/", {"title": "Cooling plant water use?", "body": "draft", "topic": "water", "check": "1"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "How much water does the cooling plant use?" in page
    assert "draft" in page
    assert resident.questions.count() == 0
