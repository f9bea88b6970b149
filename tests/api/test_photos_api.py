"""Photos over the JSON API: upload, limits, access, cache headers, reorder, delete."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from spaces.listings import photos
from tests.factories import api_token, bearer, make_organisation, make_space, make_user


def image_bytes(fmt: str = "JPEG", size=(2400, 1800), color="red", mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt)
    return out.getvalue()


def upload(client, space_id, token, data: bytes, name="photo.jpg", alt=None):
    form = {"file": (io.BytesIO(data), name)}
    if alt is not None:
        form["alt"] = alt
    return client.post(
        f"/api/v1/spaces/{space_id}/photos",
        data=form,
        headers=bearer(token),
        content_type="multipart/form-data",
    )


def key_of(photo_json) -> str:
    return photo_json["url"].split("/")[2]


def assert_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    error = response.get_json()["error"]
    assert error["message"]
    if code:
        assert error["code"] == code
    return error


@pytest.fixture
def host(app_ctx):
    user = make_user()
    return user, api_token(user), make_space(user)


@pytest.mark.parametrize(
    ("fmt", "name", "size", "expected"),
    [
        ("JPEG", "photo.jpg", (4000, 3000), (1600, 1200)),
        ("PNG", "plan.png", (1200, 2400), (600, 1200)),
        ("WEBP", "room.webp", (800, 600), (800, 600)),
    ],
)
def test_upload_gives_201_with_urls(client, host, fmt, name, size, expected):
    _user, token, space = host
    response = upload(client, space.id, token, image_bytes(fmt, size), name, alt="The big room")
    assert response.status_code == 201, response.get_json()
    photo = response.get_json()
    assert (photo["width"], photo["height"]) == expected
    assert photo["alt"] == "The big room"
    assert photo["position"] == 1
    key = key_of(photo)
    assert photo["url"] == f"/photos/{key}/display.jpg"
    assert photo["thumbnail_url"] == f"/photos/{key}/thumb.jpg"
    image = client.get(photo["url"])
    assert image.status_code == 200
    assert image.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(image.data)).size == expected
    thumb = Image.open(io.BytesIO(client.get(photo["thumbnail_url"]).data))
    assert thumb.width <= 400 and thumb.height <= 300
    space_json = client.get(f"/api/v1/spaces/{space.id}").get_json()
    assert [p["id"] for p in space_json["photos"]] == [photo["id"]]


def test_photo_files_are_cached_for_a_year_with_an_etag(client, host):
    _user, token, space = host
    photo = upload(client, space.id, token, image_bytes()).get_json()
    response = client.get(photo["url"])
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    etag = response.headers["ETag"]
    assert etag
    again = client.get(photo["url"], headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert not again.data


def test_unknown_sizes_and_keys_are_404(client, host):
    _user, token, space = host
    key = key_of(upload(client, space.id, token, image_bytes()).get_json())
    for url in (
        f"/photos/{key}/original.jpg",
        f"/photos/{key}/display.png",
        f"/photos/{'0' * 32}/display.jpg",
        "/photos/..%2F..%2Fetc%2Fpasswd/display.jpg",
        f"/photos/{key.upper()}/display.jpg",
    ):
        assert client.get(url).status_code == 404, url


def test_a_text_file_named_jpg_is_a_clear_422(client, host):
    _user, token, space = host
    response = upload(client, space.id, token, b"just some text\n" * 100, "photo.jpg")
    error = assert_error(response, 422, "invalid_image")
    assert "JPEG" in error["message"]
    assert error["fields"]["file"] == [error["message"]]


def test_a_missing_file_is_422(client, host):
    _user, token, space = host
    response = client.post(
        f"/api/v1/spaces/{space.id}/photos",
        data={"alt": "no file"},
        headers=bearer(token),
        content_type="multipart/form-data",
    )
    assert "file" in assert_error(response, 422)["fields"]
    response = client.post(
        f"/api/v1/spaces/{space.id}/photos", json={"file": "x"}, headers=bearer(token)
    )
    assert "file" in assert_error(response, 422)["fields"]


def test_a_decompression_bomb_is_422(client, host):
    _user, token, space = host
    bomb = image_bytes("PNG", (20000, 20000), 0, mode="1")
    error = assert_error(upload(client, space.id, token, bomb, "bomb.png"), 422, "invalid_image")
    assert "file" in error["fields"]


def test_fifty_megabytes_is_a_413_in_the_error_shape(client, host):
    _user, token, space = host
    big = b"\xff\xd8\xff\xe0" + b"\0" * (50 * 1024 * 1024)
    assert_error(upload(client, space.id, token, big), 413, "too_large")


def test_over_the_photo_limit_but_under_the_request_limit_is_413_too(client, host):
    _user, token, space = host
    big = b"\xff\xd8\xff\xe0" + b"\0" * (photos.MAX_UPLOAD_BYTES + 10)
    error = assert_error(upload(client, space.id, token, big), 413, "too_large")
    assert "10" in error["fields"]["file"][0]


def test_the_twenty_first_photo_is_409(client, host, monkeypatch):
    monkeypatch.setattr(photos, "MAX_PHOTOS_PER_SPACE", 1)
    _user, token, space = host
    assert upload(client, space.id, token, image_bytes()).status_code == 201
    assert_error(upload(client, space.id, token, image_bytes()), 409, "invalid_state")


def test_other_organisations_get_403_on_published_and_404_on_drafts(client, host):
    owner, token, space = host
    draft = make_space(owner, organisation=space.organisation, publish=False)
    photo = upload(client, space.id, token, image_bytes()).get_json()
    draft_photo = upload(client, draft.id, token, image_bytes()).get_json()
    other = make_user()
    make_organisation(other)
    other_token = api_token(other)

    assert_error(upload(client, space.id, other_token, image_bytes()), 403, "forbidden")
    assert_error(upload(client, draft.id, other_token, image_bytes()), 404, "not_found")
    assert_error(client.delete(f"/api/v1/photos/{photo['id']}", headers=bearer(other_token)), 403)
    assert_error(
        client.delete(f"/api/v1/photos/{draft_photo['id']}", headers=bearer(other_token)), 404
    )
    order = {"ids": [photo["id"]]}
    url = f"/api/v1/spaces/{space.id}/photos/order"
    assert_error(client.put(url, json=order, headers=bearer(other_token)), 403)
    assert_error(upload(client, space.id, None, image_bytes()), 401, "unauthorized")


def test_strangers_cannot_fetch_a_draft_space_photo(client, host):
    owner, token, space = host
    draft = make_space(owner, organisation=space.organisation, publish=False)
    photo = upload(client, draft.id, token, image_bytes()).get_json()
    stranger = make_user()
    for headers in ({}, bearer(api_token(stranger))):
        assert client.get(photo["url"], headers=headers).status_code == 404
        assert client.get(photo["thumbnail_url"], headers=headers).status_code == 404
    mine = client.get(photo["url"], headers=bearer(token))
    assert mine.status_code == 200
    assert mine.headers["Cache-Control"].startswith("private")


def test_reorder_and_delete(client, host):
    _user, token, space = host
    ids = [upload(client, space.id, token, image_bytes()).get_json()["id"] for _ in range(3)]
    url = f"/api/v1/spaces/{space.id}/photos/order"
    response = client.put(url, json={"ids": ids[::-1]}, headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert [p["id"] for p in body["items"]] == ids[::-1]
    assert [p["position"] for p in body["items"]] == [1, 2, 3]
    assert body["total"] == 3
    listed = client.get(f"/api/v1/spaces/{space.id}").get_json()["photos"]
    assert [p["id"] for p in listed] == ids[::-1]

    for wrong in ({"ids": ids[:2]}, {"ids": [*ids, ids[0]]}, {"ids": "1,2"}, {}, [1, 2]):
        assert (
            "ids" in assert_error(client.put(url, json=wrong, headers=bearer(token)), 422)["fields"]
        )

    gone = listed[0]
    response = client.delete(f"/api/v1/photos/{gone['id']}", headers=bearer(token))
    assert response.status_code == 204
    assert client.get(gone["url"]).status_code == 404
    key = key_of(gone)
    with client.application.app_context():
        assert photos.storage().open(key, "display") is None
        assert photos.storage().open(key, "thumb") is None
    assert_error(client.delete(f"/api/v1/photos/{gone['id']}", headers=bearer(token)), 404)
    remaining = client.get(f"/api/v1/spaces/{space.id}").get_json()["photos"]
    assert [p["id"] for p in remaining] == ids[::-1][1:]
