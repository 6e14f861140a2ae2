"""The office files of issue 14 (tests/fixtures/office-files) and a helper to edit a part
of an Office Open XML file (a zip), for the tests that build hostile or odd variants."""

import io
import zipfile
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "office-files"


def rewrite(data: bytes, name: str, change) -> bytes:
    """``data`` (a zip) with entry ``name`` replaced by ``change(old bytes)``."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in source.infolist():
            content = source.read(info)
            new.writestr(info.filename, change(content) if info.filename == name else content)
    return out.getvalue()
