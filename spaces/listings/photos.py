"""Photos of spaces: where their files live, how an upload becomes two JPEGs, and the services.

An upload is decoded and re-encoded, never stored as sent: only JPEG, PNG and WebP are accepted
(sniffed from the bytes, not the name), EXIF orientation is applied, metadata (EXIF, GPS, ICC,
comments) is dropped, colours are converted to sRGB, and two progressive JPEGs are written: a
display size and a thumbnail.

Files and rows: ``add_photo`` writes the files *before* the row is flushed, inside the caller's
transaction. If that transaction later rolls back, the files stay behind as orphans; that is
harmless (a key is 128 random bits, never reused, and nothing links to it) and far simpler than a
two-phase write. ``delete_photo`` removes files only *after* the commit, so a rolled-back delete
never leaves a row without its files.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import tempfile
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import ExifTags, Image, ImageCms, ImageOps

from spaces.accounts.models import User
from spaces.db import after_commit
from spaces.errors import Conflict, Forbidden, Invalid, NotFound
from spaces.extensions import db
from spaces.listings.models import Photo, Space
from spaces.listings.services import can_edit, can_see

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_PHOTOS_PER_SPACE = 20
MAX_ALT_LENGTH = 300
DISPLAY_BOX = (1600, 1200)
THUMB_BOX = (400, 300)
JPEG_QUALITY = 82
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
SIZES = ("display", "thumb")
KEY_RE = re.compile(r"[0-9a-f]{32}")

# Pillow warns above MAX_IMAGE_PIXELS and refuses above twice that; we refuse above our limit
# (the warning is turned into an error in process_image) and check the size ourselves too.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


# --- storage ---------------------------------------------------------------------------------


class PhotoStorage(Protocol):
    """Where photo files live. Keys are 32 lowercase hex characters; sizes are in SIZES."""

    def save(self, key: str, size: str, data: bytes) -> None: ...

    def open(self, key: str, size: str) -> bytes | None: ...

    def delete(self, key: str) -> None: ...


def _check(key: str, size: str) -> None:
    # Keys come from the database or a URL: never let one become a path it was not meant to be.
    if not KEY_RE.fullmatch(key or "") or size not in SIZES:
        raise ValueError(f"bad photo key or size: {key!r} {size!r}")


class LocalStorage:
    """Files on the local disk: ``<root>/<key[:2]>/<key>-<size>.jpg``, written atomically."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str, size: str) -> Path:
        _check(key, size)
        return self.root / key[:2] / f"{key}-{size}.jpg"

    def save(self, key: str, size: str, data: bytes) -> None:
        path = self._path(key, size)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".jpg")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def open(self, key: str, size: str) -> bytes | None:
        try:
            return self._path(key, size).read_bytes()
        except (FileNotFoundError, ValueError):
            return None

    def delete(self, key: str) -> None:
        for size in SIZES:
            self._path(key, size).unlink(missing_ok=True)


def storage() -> PhotoStorage:
    """The app's photo storage (local files under ``<instance>/photos`` unless replaced)."""
    extensions = current_app.extensions
    if "spaces.photos" not in extensions:
        extensions["spaces.photos"] = LocalStorage(
            os.path.join(current_app.instance_path, "photos")
        )
    return extensions["spaces.photos"]


def new_key() -> str:
    return secrets.token_hex(16)


# --- image processing --------------------------------------------------------------------------


class TooLarge(Invalid):
    """An upload over the byte limit: a 413, with the same ``fields`` as any invalid image."""

    status = 413
    code = "too_large"


def _refuse(message) -> Invalid:
    return Invalid(message, code="invalid_image", fields={"file": [message]})


def upload_bytes(stream) -> bytes:
    """Read an uploaded file, at most one byte past the limit (enough for the check to refuse)."""
    if stream is None:
        return b""
    return stream.read(MAX_UPLOAD_BYTES + 1) or b""


@dataclass(frozen=True)
class ProcessedImage:
    display: bytes
    thumb: bytes
    width: int
    height: int

    def __iter__(self):  # so that ``display, thumb, width, height = process_image(data)`` works
        return iter((self.display, self.thumb, self.width, self.height))


def _decodable(image: Image.Image) -> Image.Image:
    """An image mode that resamples well: 16-bit scaled to 8, palettes expanded, 1-bit as grey."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        return image.convert("I").point(lambda v: v / 256).convert("L")
    if image.mode == "F":
        return image.convert("L")
    if image.mode == "1":
        return image.convert("L")
    if image.mode == "P":
        return image.convert("RGBA")
    return image


def _to_srgb_rgb(image: Image.Image) -> Image.Image:
    """RGB in sRGB: the embedded colour profile applied, transparency flattened on white."""
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "RGBA", "CMYK", "L"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            target = ImageCms.createProfile("sRGB")
            mode = "RGBA" if image.mode == "RGBA" else "RGB"
            image = ImageCms.profileToProfile(image, source, target, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: keep the pixels as they are, as most viewers would
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    # No exif= or icc_profile= given: the file carries no metadata at all.
    image.save(out, "JPEG", quality=JPEG_QUALITY, progressive=True, optimize=True)
    return out.getvalue()


def _refuse_too_many_pixels() -> Invalid:
    return _refuse(
        _l(
            "This image has too many pixels (at most %(count)s megapixels).",
            count=MAX_PIXELS // 1_000_000,
        )
    )


def _decode(data: bytes) -> ProcessedImage:
    with warnings.catch_warnings():
        # Above MAX_IMAGE_PIXELS Pillow only warns; here that is a refusal like any other.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    if image.format not in ACCEPTED_FORMATS:
        raise _refuse(_l("This file is not a JPEG, PNG or WebP image."))
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        raise _refuse_too_many_pixels()
    # A JPEG can be decoded straight at 1/2, 1/4 or 1/8 scale: far less memory and time.
    image.draft("RGB", (DISPLAY_BOX[0], DISPLAY_BOX[0]))
    image.load()
    orientation = image.getexif().get(ExifTags.Base.Orientation, 1)
    box = DISPLAY_BOX[::-1] if orientation in (5, 6, 7, 8) else DISPLAY_BOX
    image = _decodable(image)
    # Shrink first (in place), then rotate and convert: no full-size copy is ever made.
    image.thumbnail(box, Image.Resampling.LANCZOS)
    image = ImageOps.exif_transpose(image)
    display = _to_srgb_rgb(image)
    display.info = {}
    thumb = display.copy()
    thumb.thumbnail(THUMB_BOX, Image.Resampling.LANCZOS)
    return ProcessedImage(_jpeg(display), _jpeg(thumb), *display.size)


def process_image(data: bytes) -> ProcessedImage:
    """Check and re-encode an upload; raises TooLarge (413) or Invalid(invalid_image) (422).

    Returns the display JPEG (fits DISPLAY_BOX), the thumbnail JPEG (fits THUMB_BOX) and the
    display size; never enlarges. Pure: touches neither the database nor the app.
    """
    if not data:
        raise _refuse(_l("Choose a photo to upload."))
    if len(data) > MAX_UPLOAD_BYTES:
        message = _l(
            "This file is larger than %(size)s MB. Choose a smaller photo.",
            size=MAX_UPLOAD_BYTES // (1024 * 1024),
        )
        raise TooLarge(message, fields={"file": [message]})
    try:
        return _decode(data)
    except Invalid:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _refuse_too_many_pixels() from exc
    except Image.UnidentifiedImageError as exc:
        raise _refuse(_l("This file is not a JPEG, PNG or WebP image.")) from exc
    except Exception as exc:
        # Pillow's decoders report a damaged file with OSError, ValueError, SyntaxError,
        # struct.error, EOFError, IndexError...: any of them means "not a usable image".
        raise _refuse(_l("This image could not be read. It may be damaged.")) from exc


# --- services ----------------------------------------------------------------------------------


def clean_alt(alt: str | None) -> str:
    """The alternative text, trimmed; raises Invalid when too long or with control characters."""
    text = " ".join((alt or "").split())
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in text):
        message = _l("The description cannot contain control characters.")
        raise Invalid(message, fields={"alt": [message]})
    if len(text) > MAX_ALT_LENGTH:
        message = _l("The description has at most %(count)s characters.", count=MAX_ALT_LENGTH)
        raise Invalid(message, fields={"alt": [message]})
    return text


def add_photo(actor: User, space: Space, data: bytes, alt: str = "") -> Photo:
    """Add a photo at the end of the space's photos.

    Raises Invalid/TooLarge for a bad file or alt text, Forbidden unless the actor edits the
    space, Conflict(invalid_state) past MAX_PHOTOS_PER_SPACE. The image is decoded before the
    database is touched, so inside ``transaction()`` (BEGIN IMMEDIATE on SQLite, sent with the
    first query) no write lock is held meanwhile; the space row is then locked (FOR UPDATE on
    PostgreSQL) so that concurrent uploads cannot pass the cap.
    """
    alt = clean_alt(alt)
    processed = process_image(data)
    if not can_edit(actor, space):
        raise Forbidden()
    db.session.execute(sa.select(Space.id).where(Space.id == space.id).with_for_update())
    count, last = db.session.execute(
        sa.select(sa.func.count(Photo.id), sa.func.max(Photo.position)).where(
            Photo.space_id == space.id
        )
    ).one()
    if count >= MAX_PHOTOS_PER_SPACE:
        raise Conflict(
            _l(
                "A place can have at most %(count)s photos. Delete one first.",
                count=MAX_PHOTOS_PER_SPACE,
            ),
            code="invalid_state",
        )
    key = new_key()
    store = storage()
    store.save(key, "display", processed.display)
    store.save(key, "thumb", processed.thumb)
    photo = Photo(
        space_id=space.id,
        position=(last or 0) + 1,
        key=key,
        width=processed.width,
        height=processed.height,
        alt=alt,
    )
    db.session.add(photo)
    try:
        db.session.flush()
    except Exception:
        store.delete(key)
        raise
    db.session.expire(space, ["photos"])
    return photo


def delete_photo(actor: User, photo: Photo) -> None:
    """Delete a photo; its files go once the transaction commits. Raises Forbidden."""
    if not can_edit(actor, photo.space):
        raise Forbidden()
    space, key, store = photo.space, photo.key, storage()
    db.session.delete(photo)
    db.session.flush()
    db.session.expire(space, ["photos"])
    after_commit(db.session, lambda: store.delete(key))


def reorder_photos(actor: User, space: Space, ids) -> list[Photo]:
    """Put the space's photos in the order of ``ids``, which must list each of them once.

    Raises Forbidden unless the actor edits the space, Invalid for any other list."""
    if not can_edit(actor, space):
        raise Forbidden()
    if not isinstance(ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in ids
    ):
        message = _l("Send the photo ids as a list of whole numbers.")
        raise Invalid(message, fields={"ids": [message]})
    photos = {p.id: p for p in space.photos}
    if len(ids) != len(photos) or set(ids) != set(photos):
        message = _l("List each photo of this place exactly once.")
        raise Invalid(message, fields={"ids": [message]})
    for position, photo_id in enumerate(ids, start=1):
        photos[photo_id].position = position
    db.session.flush()
    db.session.expire(space, ["photos"])
    return [photos[i] for i in ids]


def get_photo(actor: User | None, photo_id: int) -> Photo:
    """The photo if the actor may see its space; NotFound otherwise."""
    photo = db.session.get(Photo, photo_id)
    if photo is None or not can_see(actor, photo.space):
        raise NotFound()
    return photo


def get_photo_by_key(actor: User | None, key: str) -> Photo:
    """The photo with this file key if the actor may see its space; NotFound otherwise."""
    if not KEY_RE.fullmatch(key or ""):
        raise NotFound()
    photo = db.session.execute(sa.select(Photo).where(Photo.key == key)).scalar_one_or_none()
    if photo is None or not can_see(actor, photo.space):
        raise NotFound()
    return photo
