"""The forum's and the accounts' e-mails in the recipient's language (issue 14), whatever the
language of the request or task that sends them."""

from django.core import mail
from django.utils import translation

from portal.accounts import services as account_services
from portal.forums import services
from portal.forums.models import Reason


def test_an_answer_mails_a_spanish_speaking_asker_in_spanish_and_an_english_one_in_english(
    make_resident, make_question, staff_member, django_capture_on_commit_callbacks
):
    lucia, rosa = make_resident("lucia", language="es"), make_resident("rosa2")
    question = make_question(lucia)
    services.follow(question, rosa)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.answer_question(question, staff_member, "The turbines ran 310 hours.")
    by_address = {message.to[0]: message for message in mail.outbox}
    spanish, english = by_address[lucia.email], by_address[rosa.email]
    assert spanish.subject == f"Respondida: {question.title}"
    assert spanish.body.startswith(f"Hola, {lucia.public_name}:")
    assert "tiene una respuesta oficial de" in spanish.body and "Léala completa" in spanish.body
    assert english.subject == f"Answered: {question.title}"
    assert "has an official answer from" in english.body


def test_a_moderation_decision_reaches_a_spanish_speaking_author_in_spanish(
    make_resident, make_question, moderator, django_capture_on_commit_callbacks
):
    lucia = make_resident("lucia", language="es")
    question = make_question(lucia)
    with django_capture_on_commit_callbacks(execute=True):
        services.hide_post(question, moderator, Reason.OFF_TOPIC, "Please ask about the site.")
    (message,) = mail.outbox
    assert message.subject == f"Sobre su publicación: {question.title}"
    assert "ahora está oculta" in message.body and "Motivo: Fuera de tema" in message.body
    assert "Reason:" not in message.body


def test_the_verification_e_mail_is_in_the_accounts_language(make_resident):
    lucia = make_resident("lucia", language="es")
    with translation.override("en"):
        account_services.send_verification_email(lucia)
    (message,) = mail.outbox
    assert message.subject == "Confirme su dirección de correo electrónico para el Portal de Impacto Comunitario"
    assert "confirme su dirección de correo electrónico" in message.body
    assert "please confirm" not in message.body


def test_the_password_reset_e_mail_is_in_the_accounts_language(client, make_resident):
    lucia = make_resident("lucia", language="es")
    client.post("/accounts/password/reset/", {"email": lucia.email}, HTTP_ACCEPT_LANGUAGE="en")
    (message,) = mail.outbox
    assert message.subject == "Restablezca su contraseña del Portal de Impacto Comunitario"
    assert "pidió restablecer la contraseña" in message.body


def test_a_spanish_reader_is_told_the_rate_limit_in_spanish(client, settings):
    settings.FORUM_RATE_LIMITS = {**settings.FORUM_RATE_LIMITS, "signup": {"ip": (0, 3600)}}
    page = client.post("/accounts/signup/", {"email": "a@example.org"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Demasiadas solicitudes: el límite desde su red es de 0 por hora." in page
    assert "Too many requests" not in page


def test_a_refusal_from_the_forum_is_in_the_readers_language(make_question, resident, login):
    question = make_question(resident)
    client = login(resident)
    client.post(f"/forum/questions/{question.pk}/vote/", HTTP_ACCEPT_LANGUAGE="es")
    page = client.get(question.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Usted hizo esta pregunta; su interés ya está contado." in page
