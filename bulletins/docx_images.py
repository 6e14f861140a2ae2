"""Pictures from Word files, in whatever form Word embedded them, as RGB PNG or JPEG.

Word keeps a picture as it was inserted: CMYK JPEGs from print shops, 16-bit or
CMYK TIFF scans, BMP, palette GIF, WebP, and EMF/WMF vector drawings (charts and
logos pasted from Office). Browsers and the PDF want 8-bit RGB, so each picture
is re-encoded here (which also drops its EXIF and GPS data): a JPEG stays a JPEG,
everything else becomes a PNG (with its transparency).

EMF and WMF are drawn through Debian's converters when they are installed
(``emf2svg-conv`` from emf2svg, ``wmf2svg`` from libwmf-bin, then
``rsvg-convert`` from librsvg2-bin; ``make test`` installs them), each run with
a time and memory limit in an empty folder. Without them, or when a picture
cannot be read at all, ``convert_picture`` says so and the import names the
picture ("第2张图片（EMF）无法转换").
"""

from __future__ import annotations

import io
import re
import resource
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, ImageSequence

from portal.files import check_image

# Vector drawings are rendered at most this many pixels on their longer side.
VECTOR_MAX_SIDE = 2000
CONVERTER_SECONDS = 20
CONVERTER_MEMORY = 512 * 1024 * 1024


@dataclass(frozen=True)
class Picture:
    data: bytes
    ext: str
    content_type: str


class NotConvertible(Exception):
    """The picture cannot be shown; ``kind`` names its format for the message (EMF, TIFF…)."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


def picture_kind(data: bytes) -> str:
    """The format's usual name, from the leading bytes (for messages)."""
    if data[:4] == b"\xd7\xcd\xc6\x9a" or data[:6] in (b"\x01\x00\x09\x00\x00\x03",):
        return "WMF"
    if data[:4] == b"\x01\x00\x00\x00" and data[40:44] == b" EMF":
        return "EMF"
    try:
        with Image.open(io.BytesIO(data)) as img:
            return img.format or "?"
    except Exception:
        return {b"%PDF": "PDF", b"<svg": "SVG", b"<?xm": "SVG"}.get(data[:4], "未知格式")


def convert_picture(data: bytes) -> Picture:
    """``data`` as an RGB(A) PNG or RGB JPEG without metadata.

    Raises ValidationError ``image_bomb`` (too many pixels, portal/files.py) and
    NotConvertible for anything that cannot be shown.
    """
    kind = picture_kind(data)
    if kind in ("EMF", "WMF"):
        data = _render_vector(data, kind)
    try:
        check_image(io.BytesIO(data))  # pixel limit, from the header, before decoding
    except ValidationError as exc:
        if exc.code == "image_bomb":
            raise
        raise NotConvertible(kind) from exc
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format
            frame = next(iter(ImageSequence.Iterator(img)))  # an animated GIF's first frame
            frame.load()
            img = ImageOps.exif_transpose(frame.copy())
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise
    except Exception as exc:  # Pillow raises many types for what it cannot decode
        raise NotConvertible(kind) from exc
    img = _eight_bit(img)
    out = io.BytesIO()
    if fmt == "JPEG":
        img.convert("RGB").save(out, format="JPEG", quality=90)
        return Picture(out.getvalue(), "jpg", "image/jpeg")
    has_alpha = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
    img.convert("RGBA" if has_alpha else "RGB").save(out, format="PNG", optimize=True)
    return Picture(out.getvalue(), "png", "image/png")


def _eight_bit(img: Image.Image) -> Image.Image:
    """16-bit and float greyscale scaled to 8 bits (a plain convert would clip to white)."""
    if img.mode.startswith("I;16"):
        img = img.convert("I")
    if img.mode == "I":
        low, high = img.getextrema()
        scale = 1 / 256 if high > 255 else 1
        return img.point(lambda v: v * scale).convert("L")
    if img.mode == "F":
        low, high = img.getextrema()
        span = (high - low) or 1
        return img.point(lambda v: (v - low) * (255 / span)).convert("L")
    return img


# --- EMF / WMF ----------------------------------------------------------------------

VECTOR_TOOLS = {"EMF": "emf2svg-conv", "WMF": "wmf2svg"}


def vector_converters_installed() -> bool:
    return all(shutil.which(tool) for tool in (*VECTOR_TOOLS.values(), "rsvg-convert"))


def _limits():  # runs in the child before exec: bound its memory and CPU time
    resource.setrlimit(resource.RLIMIT_AS, (CONVERTER_MEMORY, CONVERTER_MEMORY))
    resource.setrlimit(resource.RLIMIT_CPU, (CONVERTER_SECONDS, CONVERTER_SECONDS))


def _run(args: list[str], cwd: str) -> None:
    subprocess.run(
        args,
        cwd=cwd,
        check=True,
        capture_output=True,
        timeout=CONVERTER_SECONDS,
        preexec_fn=_limits,
        env={"PATH": "/usr/bin:/bin", "HOME": cwd},
    )


def _svg_zoom(svg: bytes) -> float:
    match = re.search(rb"<svg[^>]*?\swidth=\"([\d.]+)[a-z]*\"[^>]*?\sheight=\"([\d.]+)", svg)
    if not match:
        return 1.0
    width, height = float(match.group(1)), float(match.group(2))
    longest = max(width, height, 1.0)
    return min(1.0, VECTOR_MAX_SIDE / longest)


def _render_vector(data: bytes, kind: str) -> bytes:
    tool = shutil.which(VECTOR_TOOLS[kind])
    rsvg = shutil.which("rsvg-convert")
    if not tool or not rsvg:
        raise NotConvertible(kind)
    with tempfile.TemporaryDirectory(prefix="portal-picture-") as folder:
        source, svg, png = (Path(folder) / name for name in ("in", "out.svg", "out.png"))
        source.write_bytes(data)
        try:
            if kind == "EMF":
                _run([tool, "-i", str(source), "-o", str(svg)], folder)
            else:
                _run([tool, "-o", str(svg), str(source)], folder)
            zoom = _svg_zoom(svg.read_bytes())
            _run([rsvg, "-z", f"{zoom:.4f}", "-o", str(png), str(svg)], folder)
            return png.read_bytes()
        except (subprocess.SubprocessError, OSError) as exc:
            raise NotConvertible(kind) from exc
