"""Pictures of article bodies, scaled into the type area (inline attachments of the issue only)."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable

from reportlab.platypus import Image

logger = logging.getLogger(__name__)

ImageLoader = Callable[[str], "bytes | None"]
MAX_IMAGE_PIXELS_SIDE = 2400


def image_flowable(data: bytes, *, attrs: dict, max_width: float, max_height: float):
    """A picture scaled into the type area; None when it cannot be read."""
    from PIL import Image as PILImage
    from PIL import ImageOps

    try:
        with PILImage.open(io.BytesIO(data)) as img:
            img = ImageOps.exif_transpose(img)
            img.load()
            if max(img.size) > MAX_IMAGE_PIXELS_SIDE:
                img.thumbnail((MAX_IMAGE_PIXELS_SIDE, MAX_IMAGE_PIXELS_SIDE))
            has_alpha = img.mode in ("RGBA", "LA", "P")
            out = io.BytesIO()
            if has_alpha:
                img.convert("RGBA").save(out, format="PNG")
            else:
                img.convert("RGB").save(out, format="JPEG", quality=88)
            px_w, px_h = img.size
    except Exception:  # Pillow raises many kinds for broken files
        logger.warning("PDF: skipped a picture that could not be read", exc_info=True)
        return None
    out.seek(0)

    def _px(name):
        match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(px)?\s*$", attrs.get(name, ""))
        return float(match.group(1)) if match else None

    width, height = _px("width"), _px("height")
    if width and not height:
        height = width * px_h / px_w
    elif height and not width:
        width = height * px_w / px_h
    elif not width:
        width, height = px_w, px_h
    # CSS pixels → points, then fit the type area keeping the aspect ratio.
    width, height = width * 0.75, height * 0.75
    scale = min(1.0, max_width / width, max_height / height)
    flowable = Image(out, width=width * scale, height=height * scale)
    flowable.hAlign = "CENTER"
    return flowable
