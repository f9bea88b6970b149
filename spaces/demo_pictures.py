"""The demo's place photos, drawn rather than shipped (Pillow; pure: no Flask, no database).

``picture`` returns a 1200x800 JPEG: a diagonal gradient in one of four Touraine colour pairs
(chosen by ``seed``) with a title and a subtitle on a dark band. The same arguments give the same
picture. Text is drawn with DejaVu Sans when the system has it, else with Pillow's built-in font,
accents then removed so that every letter can be drawn.
"""

from __future__ import annotations

import functools
import io
import textwrap
import unicodedata

PHOTO_SIZE = (1200, 800)
PHOTO_COLOURS = [  # (top-left, bottom-right) of the gradient: Loire blue, tuffeau, vineyard…
    ((32, 86, 120), (196, 214, 200)),
    ((200, 170, 120), (90, 60, 40)),
    ((110, 40, 70), (230, 190, 150)),
    ((40, 100, 70), (220, 220, 170)),
]


def picture(title: str, subtitle: str, seed: int) -> bytes:
    """A 1200x800 JPEG: a diagonal gradient with the title and subtitle written on it."""
    from PIL import ImageDraw

    width, height = PHOTO_SIZE
    image = _gradient(seed % len(PHOTO_COLOURS)).copy()
    draw = ImageDraw.Draw(image)
    lines = textwrap.wrap(title, 30)[:2]
    band_top = height - 110 - 80 * len(lines)
    draw.rectangle((0, band_top, width, height - 30), fill=(0, 0, 0))
    y = band_top + 20
    for line in lines:
        draw.text((60, y), _drawable(line), font=_font(64), fill=(255, 255, 255))
        y += 80
    draw.text((60, y + 5), _drawable(subtitle[:60]), font=_font(36), fill=(235, 235, 235))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


@functools.cache
def _gradient(colours: int):
    """A diagonal gradient between two of PHOTO_COLOURS (made once per pair)."""
    from PIL import Image, ImageChops

    top, bottom = PHOTO_COLOURS[colours]
    vertical = Image.linear_gradient("L").resize(PHOTO_SIZE)
    horizontal = Image.linear_gradient("L").rotate(90).resize(PHOTO_SIZE)
    mask = ImageChops.add(vertical, horizontal, scale=2)  # 0 at one corner, 255 at the other
    return Image.composite(
        Image.new("RGB", PHOTO_SIZE, top), Image.new("RGB", PHOTO_SIZE, bottom), mask
    )


@functools.cache
def _font(size: int):
    """DejaVu Sans when the system has it (accents), else Pillow's built-in font."""
    from PIL import ImageFont

    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def _drawable(text: str) -> str:
    """The text, without accents when only the built-in font (ASCII) is available."""
    from PIL import ImageFont

    if isinstance(_font(36), ImageFont.FreeTypeFont) and _font(36).getname()[0] == "DejaVu Sans":
        return text
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
