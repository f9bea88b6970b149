"""Photo processing, storage and services against the database (no HTTP)."""

from __future__ import annotations

import io
import os

import pytest
from PIL import ExifTags, Image

from spaces.db import transaction
from spaces.errors import Conflict, Forbidden, Invalid, NotFound
from spaces.listings import photos
from spaces.organisations import services as organisations
from tests.factories import make_organisation, make_space, make_user


def image_bytes(fmt: str = "JPEG", size=(2400, 1800), color="red", mode="RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt, **save)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


# --- processing (pure: no database) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "size", "display", "thumb"),
    [
        ("JPEG", (4000, 3000), (1600, 1200), (400, 300)),
        ("PNG", (1000, 2000), (600, 1200), (150, 300)),
        ("WEBP", (3000, 1000), (1600, 533), (400, 133)),
        ("PNG", (300, 200), (300, 200), (300, 200)),  # never enlarged
    ],
)
def test_accepted_formats_become_two_progressive_jpegs_fitting_their_boxes(
    fmt, size, display, thumb
):
    result = photos.process_image(image_bytes(fmt, size))
    assert (result.width, result.height) == display
    big, small = opened(result.display), opened(result.thumb)
    assert big.format == small.format == "JPEG"
    assert big.mode == "RGB"
    assert big.size == display
    assert small.size == thumb
    assert big.info.get("progressive") or big.info.get("progression")


def test_exif_orientation_is_applied_and_metadata_dropped():
    # Landscape pixels, red on the left, with "rotate 90° clockwise to display" (orientation 6).
    image = Image.new("RGB", (200, 100), "blue")
    image.paste("red", (0, 0, 100, 100))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "Camera maker"
    exif[ExifTags.Base.Model] = "Secret model"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95)

    result = photos.process_image(out.getvalue())
    assert (result.width, result.height) == (100, 200)
    display = opened(result.display)
    assert display.size == (100, 200)
    red, green, blue = display.getpixel((50, 20))  # the left half is now on top
    assert red > 200 and blue < 60
    assert dict(display.getexif()) == {}
    assert "icc_profile" not in display.info
    assert b"Secret model" not in result.display


def test_transparency_is_flattened_on_white():
    result = photos.process_image(image_bytes("PNG", (50, 50), (0, 0, 0, 0), mode="RGBA"))
    assert opened(result.display).getpixel((25, 25)) == (255, 255, 255)


def test_a_text_file_named_jpg_is_refused_clearly():
    with pytest.raises(Invalid) as caught:
        photos.process_image(b"Hello, I am a text file called photo.jpg\n" * 20)
    assert caught.value.status == 422
    assert caught.value.code == "invalid_image"
    assert list(caught.value.fields) == ["file"]


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_refused(fmt):
    with pytest.raises(Invalid) as caught:
        photos.process_image(image_bytes(fmt, (50, 50)))
    assert caught.value.code == "invalid_image"


def test_damaged_image_is_refused():
    with pytest.raises(Invalid) as caught:
        photos.process_image(image_bytes("PNG", (500, 500), "red")[:200])
    assert caught.value.code == "invalid_image"


def test_decompression_bomb_is_refused():
    bomb = image_bytes("PNG", (20000, 20000), 0, mode="1")  # 400 megapixels in ~50 kB
    assert len(bomb) < 1_000_000
    with pytest.raises(Invalid) as caught:
        photos.process_image(bomb)
    assert caught.value.code == "invalid_image"
    # Just above the limit (where Pillow only warns) is refused too.
    with pytest.raises(Invalid):
        photos.process_image(image_bytes("PNG", (8000, 5001), 0, mode="1"))


def test_more_than_ten_megabytes_is_refused_before_decoding():
    with pytest.raises(Invalid) as caught:
        photos.process_image(b"\xff\xd8\xff" + b"\0" * photos.MAX_UPLOAD_BYTES)
    assert caught.value.status == 413
    assert caught.value.code == "too_large"
    assert "file" in caught.value.fields


def test_empty_upload_asks_for_a_file():
    with pytest.raises(Invalid) as caught:
        photos.process_image(b"")
    assert "file" in caught.value.fields


def test_local_storage_refuses_keys_that_are_not_generated_hex(tmp_path):
    store = photos.LocalStorage(tmp_path)
    key = photos.new_key()
    store.save(key, "display", b"jpeg")
    assert store.open(key, "display") == b"jpeg"
    assert store.open(key, "thumb") is None
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(".tmp-")]
    for bad in ("../../etc/passwd", key.upper(), key + "/x", "", key[:-1]):
        with pytest.raises(ValueError):
            store.save(bad, "display", b"x")
        assert store.open(bad, "display") is None
    with pytest.raises(ValueError):
        store.save(key, "../original", b"x")
    store.delete(key)
    assert store.open(key, "display") is None
    store.delete(key)  # deleting twice is fine


# --- services ----------------------------------------------------------------------------------


def _add(actor, space, data=None, alt=""):
    with transaction():
        return photos.add_photo(actor, space, data or image_bytes(), alt)


def test_add_photo_stores_both_sizes_at_the_end(app_ctx):
    host = make_user()
    space = make_space(host)
    first = _add(host, space, image_bytes("JPEG"), "  A bright   room ")
    second = _add(host, space, image_bytes("PNG", (800, 600)))
    third = _add(host, space, image_bytes("WEBP", (640, 480)))
    assert [first.position, second.position, third.position] == [1, 2, 3]
    assert first.alt == "A bright room"
    assert (first.width, first.height) == (1600, 1200)
    assert (second.width, second.height) == (800, 600)
    assert [p.id for p in space.photos] == [first.id, second.id, third.id]
    store = photos.storage()
    for photo in (first, second, third):
        assert photos.KEY_RE.fullmatch(photo.key)
        assert opened(store.open(photo.key, "display")).size == (photo.width, photo.height)
        assert opened(store.open(photo.key, "thumb")).width <= 400
    assert os.path.isdir(os.path.join(app_ctx.instance_path, "photos"))


def test_only_the_space_editors_add_photos(app_ctx):
    host = make_user()
    space = make_space(host)
    stranger = make_user()
    make_organisation(stranger)
    member = make_user()
    with transaction():
        organisations.add_member(host, space.organisation, member.email, "member")
    for actor in (stranger, member, None):
        with pytest.raises(Forbidden), transaction():
            photos.add_photo(actor, space, image_bytes(), "")
    assert space.photos == []


def test_at_most_twenty_photos(app_ctx, monkeypatch):
    monkeypatch.setattr(photos, "MAX_PHOTOS_PER_SPACE", 2)
    host = make_user()
    space = make_space(host)
    _add(host, space)
    _add(host, space)
    with pytest.raises(Conflict) as caught, transaction():
        photos.add_photo(host, space, image_bytes(), "")
    assert caught.value.code == "invalid_state"
    assert len(space.photos) == 2


def test_alt_text_is_checked(app_ctx):
    host = make_user()
    space = make_space(host)
    for alt in ("x" * 301, "nul\x00byte"):
        with pytest.raises(Invalid) as caught, transaction():
            photos.add_photo(host, space, image_bytes(), alt)
        assert list(caught.value.fields) == ["alt"]
    assert _add(host, space, alt="é" * 300).alt == "é" * 300


def test_reorder_needs_exactly_the_space_photo_ids(app_ctx):
    host = make_user()
    space = make_space(host)
    a, b, c = (_add(host, space) for _ in range(3))
    other = _add(host, make_space(host))
    with transaction():
        ordered = photos.reorder_photos(host, space, [c.id, a.id, b.id])
    assert [p.id for p in ordered] == [c.id, a.id, b.id]
    assert [p.id for p in space.photos] == [c.id, a.id, b.id]
    for wrong in (
        [a.id, b.id],
        [a.id, b.id, c.id, c.id],
        [a.id, b.id, other.id],
        [a.id, a.id, b.id],
        [a.id, b.id, str(c.id)],
        [a.id, b.id, True],
        "1,2,3",
        None,
    ):
        with pytest.raises(Invalid) as caught, transaction():
            photos.reorder_photos(host, space, wrong)
        assert "ids" in caught.value.fields
    assert [p.id for p in space.photos] == [c.id, a.id, b.id]


def test_delete_removes_files_after_commit_only(app_ctx):
    host = make_user()
    space = make_space(host)
    photo = _add(host, space)
    key = photo.key
    store = photos.storage()

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction():
        photos.delete_photo(host, photo)
        assert store.open(key, "display") is not None  # not before the commit
        raise Abort
    assert store.open(key, "display") is not None  # rolled back: files kept
    photo = photos.get_photo(host, photo.id)

    with transaction():
        photos.delete_photo(host, photo)
    assert store.open(key, "display") is None
    assert store.open(key, "thumb") is None
    assert space.photos == []


def test_strangers_do_not_see_draft_photos(app_ctx):
    host = make_user()
    draft = make_space(host, publish=False)
    photo = _add(host, draft)
    stranger = make_user()
    for actor in (stranger, None):
        with pytest.raises(NotFound):
            photos.get_photo(actor, photo.id)
        with pytest.raises(NotFound):
            photos.get_photo_by_key(actor, photo.key)
    assert photos.get_photo(host, photo.id) == photo
    assert photos.get_photo_by_key(host, photo.key) == photo
    with pytest.raises(NotFound):
        photos.get_photo_by_key(host, "../" + photo.key)
    with pytest.raises(Forbidden), transaction():
        photos.delete_photo(stranger, photo)
