"""Account journeys in Chromium: sign up, log in and out, forgotten password, language, keyboard.

The browser speaks French (the product's default language), so the pages are read in French.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, make_user

NEW_PASSWORD = "a brand new sentence"


def account_link(page: Page):
    """The header link to the account page, which shows the logged-in user's name."""
    return page.get_by_test_id("account-link")


def field(page: Page, label: str):
    """The form field with exactly this label (required fields add an aria-hidden " *")."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}(\s*\*)?$"))


def log_in(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    field(page, "Adresse e-mail").fill(email)
    field(page, "Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter", exact=True).click()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_text("Vous êtes déconnecté.")).to_be_visible()
    expect(account_link(page)).to_have_count(0)
    expect(page.get_by_role("link", name="Se connecter", exact=True)).to_be_visible()


def test_register_log_out_and_log_back_in(page: Page):
    page.goto("/")
    page.get_by_role("navigation").get_by_role("button", name="Créer un compte").click()
    expect(page.get_by_role("heading", name="Créez votre compte")).to_be_visible()

    field(page, "Nom").fill("Camille Martin")
    field(page, "Adresse e-mail").fill("Camille@Example.org")
    field(page, "Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()

    expect(page.get_by_text("Bienvenue, Camille Martin ! Votre compte est prêt.")).to_be_visible()
    expect(account_link(page)).to_have_text("Camille Martin")

    log_out(page)

    log_in(page, "camille@example.org", PASSWORD)
    expect(account_link(page)).to_have_text("Camille Martin")
    account_link(page).click()
    expect(page.get_by_role("heading", name="Mon compte", level=1)).to_be_visible()
    expect(page.get_by_text("camille@example.org")).to_be_visible()


def test_wrong_password_shows_the_error_and_stays_on_the_login_page(app, page: Page):
    with app.app_context():
        make_user(email="lea@example.org", name="Léa")

    log_in(page, "lea@example.org", "not the right password")

    expect(page.get_by_role("alert")).to_have_text("Adresse e-mail ou mot de passe incorrect.")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("heading", name="Se connecter", level=1)).to_be_visible()
    expect(field(page, "Adresse e-mail")).to_have_value("lea@example.org")
    expect(field(page, "Mot de passe")).to_have_value("")
    expect(account_link(page)).to_have_count(0)


def test_forgotten_password_link_sets_a_new_password_once(app, page: Page, outbox):
    with app.app_context():
        make_user(email="noe@example.org", name="Noé")

    page.goto("/login")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    field(page, "Adresse e-mail").fill("noe@example.org")
    page.get_by_role("button", name="M'envoyer un lien").click()
    expect(page.get_by_text("Si un compte existe pour noe@example.org")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/login$"))

    message = outbox.last("noe@example.org")
    assert message["Subject"] == "Choisissez un nouveau mot de passe pour Spaces"
    [link] = [url for url in outbox.links(message) if "/password/reset/" in url]
    assert link.startswith(page.url.removesuffix("/login")), link

    page.goto(link)
    expect(page.get_by_role("heading", name="Choisissez un nouveau mot de passe")).to_be_visible()
    field(page, "Nouveau mot de passe").fill(NEW_PASSWORD)
    field(page, "Confirmez le nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer le nouveau mot de passe").click()
    expect(page.get_by_text("Votre mot de passe a été modifié.")).to_be_visible()
    expect(account_link(page)).to_have_text("Noé")

    log_out(page)
    log_in(page, "noe@example.org", PASSWORD)
    expect(page.get_by_role("alert")).to_have_text("Adresse e-mail ou mot de passe incorrect.")
    log_in(page, "noe@example.org", NEW_PASSWORD)
    expect(account_link(page)).to_have_text("Noé")

    page.goto(link)
    expect(page.get_by_role("heading", name="Lien non valide")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(
        "Ce lien a déjà été utilisé ou n'est plus valide."
    )
    expect(field(page, "Nouveau mot de passe")).to_have_count(0)


def test_language_switch_to_english_sticks(page: Page):
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Travailler près de chez soi")).to_be_visible()

    page.get_by_role("button", name="Switch to English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Work near home")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/$"))
    assert {"name": "lang", "value": "en"}.items() <= next(
        c for c in page.context.cookies() if c["name"] == "lang"
    ).items()

    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Log in", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Passer en français")).to_have_text("FR")


def test_first_tab_on_login_focuses_the_skip_link(page: Page):
    page.goto("/login")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
