"""The host's photo page through HTTP: upload with CSRF, errors next to the field, order, delete."""

from __future__ import annotations

import io
import re

from PIL import Image

from spaces.db import transaction
from spaces.listings import photos
from spaces.organisations import services as organisations
from tests.factories import csrf_from, log_in, make_organisation, make_space, make_user


def image_bytes(fmt: str = "JPEG", size=(2400, 1800), color="red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def post_upload(client, space_id: int, data: bytes, name="photo.jpg", alt="", csrf=True):
    url = f"/spaces/{space_id}/photos"
    form = {"file": (io.BytesIO(data), name), "alt": alt}
    if csrf:
        form["csrf_token"] = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(url, data=form, content_type="multipart/form-data")


def post_button(client, space_id: int, action_url: str, **fields):
    page = client.get(f"/spaces/{space_id}/photos").get_data(as_text=True)
    return client.post(action_url, data={"csrf_token": csrf_from(page), **fields})


def photo_ids(client, space_id: int) -> list[int]:
    page = client.get(f"/spaces/{space_id}/photos").get_data(as_text=True)
    return [int(i) for i in re.findall(r'data-photo-id="(\d+)"', page)]


def test_page_has_an_accessible_multipart_form(client, app_ctx):
    host = make_user()
    space = make_space(host)
    log_in(client, host.email)
    response = client.get(f"/spaces/{space.id}/photos")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    assert 'name="csrf_token"' in html
    assert '<label for="photo-file">' in html
    assert 'id="photo-file" name="file"' in html
    assert '<label for="photo-alt">' in html


def test_upload_move_and_delete(client, app_ctx):
    host = make_user()
    space = make_space(host)
    log_in(client, host.email)

    response = post_upload(client, space.id, image_bytes(), alt="The reading room")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/spaces/{space.id}/photos")
    page = client.get(f"/spaces/{space.id}/photos").get_data(as_text=True)
    assert "flash-success" in page
    assert 'alt="The reading room"' in page
    assert post_upload(client, space.id, image_bytes("PNG", (300, 300))).status_code == 302
    assert post_upload(client, space.id, image_bytes("WEBP", (300, 300))).status_code == 302
    first, second, third = photo_ids(client, space.id)
    thumb = re.search(r'src="(/photos/[0-9a-f]{32}/thumb\.jpg)"', page)[1]
    assert client.get(thumb).status_code == 200

    move = f"/spaces/{space.id}/photos/{third}/move"
    assert post_button(client, space.id, move, direction="up").status_code == 302
    assert photo_ids(client, space.id) == [first, third, second]
    move = f"/spaces/{space.id}/photos/{first}/move"
    assert post_button(client, space.id, move, direction="down").status_code == 302
    assert photo_ids(client, space.id) == [third, first, second]
    assert post_button(client, space.id, move, direction="sideways").status_code == 422

    with client.application.app_context():
        key = photos.get_photo(host, first).key
        assert photos.storage().open(key, "display") is not None
    delete = f"/spaces/{space.id}/photos/{first}/delete"
    assert post_button(client, space.id, delete).status_code == 302
    assert photo_ids(client, space.id) == [third, second]
    with client.application.app_context():
        assert photos.storage().open(key, "display") is None
        assert photos.storage().open(key, "thumb") is None
    assert client.get(f"/photos/{key}/thumb.jpg").status_code == 404


def test_posts_without_csrf_are_refused(client, app_ctx):
    host = make_user()
    space = make_space(host)
    log_in(client, host.email)
    response = post_upload(client, space.id, image_bytes(), csrf=False)
    assert response.status_code == 400
    post_upload(client, space.id, image_bytes())
    (photo_id,) = photo_ids(client, space.id)
    response = client.post(f"/spaces/{space.id}/photos/{photo_id}/delete")
    assert response.status_code == 400
    assert photo_ids(client, space.id) == [photo_id]


def test_a_text_file_named_jpg_shows_the_error_next_to_the_field(client, app_ctx):
    host = make_user()
    space = make_space(host)
    log_in(client, host.email)
    response = post_upload(client, space.id, b"not a photo at all\n" * 50, alt="Kept")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="photo-file-error"' in html
    assert "JPEG" in re.search(r'id="photo-file-error"[^>]*>([^<]*)<', html)[1]
    assert 'aria-invalid="true"' in html
    assert 'value="Kept"' in html
    assert photo_ids(client, space.id) == []


def test_a_fifty_megabyte_upload_gets_a_friendly_page(client, app_ctx):
    host = make_user()
    space = make_space(host)
    log_in(client, host.email)
    big = b"\xff\xd8\xff\xe0" + b"\0" * (50 * 1024 * 1024)
    response = post_upload(client, space.id, big)
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert 'id="photo-file-error"' in html
    assert "10" in re.search(r'id="photo-file-error"[^>]*>([^<]*)<', html)[1]
    # Between the photo limit (10 MB) and the request limit (20 MB): the same answer.
    medium = b"\xff\xd8\xff\xe0" + b"\0" * (photos.MAX_UPLOAD_BYTES + 10)
    response = post_upload(client, space.id, medium)
    assert response.status_code == 413
    assert 'id="photo-file-error"' in response.get_data(as_text=True)
    assert photo_ids(client, space.id) == []


def test_a_fifty_megabyte_post_elsewhere_is_a_plain_413_page(client, app_ctx):
    host = make_user()
    space = make_space(host)
    stranger = make_user()
    make_organisation(stranger)
    log_in(client, stranger.email)
    big = b"\0" * (50 * 1024 * 1024)
    response = client.post(
        f"/spaces/{space.id}/photos",
        data={"file": (io.BytesIO(big), "x.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert 'id="photo-file"' not in response.get_data(as_text=True)


def test_only_editors_reach_the_page(client, app_ctx):
    host = make_user()
    published = make_space(host)
    draft = make_space(host, organisation=published.organisation, publish=False)
    member = make_user()
    with transaction():
        organisations.add_member(host, published.organisation, member.email, "member")
    stranger = make_user()
    make_organisation(stranger)

    response = client.get(f"/spaces/{published.id}/photos")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]

    log_in(client, stranger.email)
    assert client.get(f"/spaces/{published.id}/photos").status_code == 403
    assert client.get(f"/spaces/{draft.id}/photos").status_code == 404

    other = client.application.test_client()
    log_in(other, member.email)
    assert other.get(f"/spaces/{published.id}/photos").status_code == 403
    assert other.get(f"/spaces/{draft.id}/photos").status_code == 403


def test_strangers_cannot_fetch_photos_of_a_draft_space(client, app_ctx):
    host = make_user()
    draft = make_space(host, publish=False)
    with transaction():
        photo = photos.add_photo(host, draft, image_bytes(), "")
    url = f"/photos/{photo.key}/display.jpg"
    assert client.get(url).status_code == 404
    stranger = make_user()
    log_in(client, stranger.email)
    assert client.get(url).status_code == 404
    owner = client.application.test_client()
    log_in(owner, host.email)
    response = owner.get(url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert response.headers["ETag"]
