"""A call for temporary occupation in Chromium, from end to end: the municipality writes and
publishes a call from its place's page; a person finds it under "Appels en cours" and applies;
the municipality accepts the application on its review page; the applicant finds the term
booking in "My bookings" (in English, her language) and downloads the occupation agreement (a PDF)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.call_factories import APPLICANT, MAIRIE, pdf_info
from tests.e2e.conftest import log_in


def test_a_municipality_publishes_a_call_a_person_applies_and_is_accepted(
    app, page: Page, browser, live_server, tmp_path
):
    from tests.call_factories import make_cast

    with app.app_context():
        cast = make_cast()

    # The municipality writes the call from its place's page, then publishes it.
    log_in(page, MAIRIE)
    page.goto(f"/spaces/{cast['space']}")
    page.get_by_test_id("launch-call").click()
    page.locator("#title").fill("Occupation temporaire de l'aile est")
    page.locator("#description").fill("Trois salles de classe, chauffées, entrée indépendante.")
    page.locator("#criteria").fill("Projets associatifs ouverts aux habitants.")
    page.locator("#visit_info").fill("Visite le mercredi à 14 h.")
    page.locator("#occupation_from").fill("2027-02-01")
    page.locator("#occupation_until").fill("2027-07-31")
    page.locator("#apply_until").fill("2027-01-15T12:00")
    page.get_by_test_id("save-call").click()
    expect(page.get_by_test_id("call-status")).to_have_attribute("data-status", "draft")
    page.get_by_test_id("publish-call").click()
    expect(page.get_by_test_id("call-status")).to_have_attribute("data-status", "open")
    expect(page.get_by_test_id("call-deadline")).to_contain_text("15 janvier 2027, 12:00")

    # A person finds it in the open calls and applies.
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", accept_downloads=True)
    applicant = context.new_page()
    try:
        log_in(applicant, APPLICANT)
        applicant.get_by_test_id("calls-link").click()
        cards = applicant.get_by_test_id("call-card")
        expect(cards).to_have_count(1)
        cards.first.get_by_role("link", name="Occupation temporaire de l'aile est").click()
        applicant.locator("#project").fill("Un atelier de réparation de vélos.")
        applicant.locator("#planned_use").fill("Atelier ouvert trois jours par semaine.")
        applicant.locator("#start_date").fill("2027-02-01")
        applicant.locator("#end_date").fill("2027-04-30")
        applicant.locator("#organisation_name").fill("Vélo Chinon")
        applicant.get_by_test_id("apply-submit").click()
        expect(applicant.get_by_test_id("application-status")).to_have_attribute(
            "data-status", "submitted"
        )

        # The municipality accepts it on the review page.
        page.reload()
        page.get_by_test_id("review-link").click()
        card = page.get_by_test_id("application")
        expect(card).to_have_count(1)
        expect(card).to_contain_text("Alex Atelier")
        card.get_by_test_id("accept").click()
        expect(page.get_by_test_id("application-status")).to_have_attribute(
            "data-status", "accepted"
        )

        # The applicant has the term booking and the agreement.
        applicant.get_by_test_id("my-bookings").click()
        row = applicant.locator("table tr", has_text="École Jules-Ferry")
        expect(row).to_have_count(1)
        expect(row.get_by_test_id("status")).to_have_attribute("data-status", "confirmed")
        expect(row).to_contain_text("450")  # three months at 150 €
        applicant.goto("/my/applications")
        expect(applicant.get_by_test_id("application-status")).to_have_attribute(
            "data-status", "accepted"
        )
        with applicant.expect_download() as caught:
            applicant.get_by_test_id("convention-link").click()
        download = caught.value
        assert download.suggested_filename.endswith(".pdf")
        path = tmp_path / download.suggested_filename
        download.save_as(path)
        data = path.read_bytes()
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
        assert len(data) > 5000  # the text and its embedded font subset
        assert pdf_info(data, "Subject") == "École Jules-Ferry — Alex Atelier"
        assert pdf_info(data, "Author") == "Ville de Chinon"
    finally:
        context.close()
