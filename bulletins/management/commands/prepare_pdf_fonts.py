"""Prepare the PDF faces for embedding ahead, so no render waits on it (``make run``/``make test``)."""

import time

from django.core.management.base import BaseCommand

from bulletins.pdf_fonts import (
    ALL,
    fallback_specs,
    font_specs,
    gb2312_coverage,
    missing_default_faces,
    prepare,
    prepared_path,
)


class Command(BaseCommand):
    help = "Prepare the PDF faces (subset, TrueType outlines, official grid) in PDF_FONT_CACHE_DIR."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="also list the GB 2312 characters each face lacks"
        )

    def handle(self, *args, check=False, **options):
        for face in missing_default_faces():
            self.stderr.write(f"not installed: {face.name} (Debian package {face.package})")
        specs = [*font_specs().values(), *fallback_specs()]
        for spec in dict.fromkeys(specs):
            if spec.charset == ALL:
                continue  # fallback faces: a block at a time, when a text first needs it
            started = time.monotonic()
            fresh = not prepared_path(spec).is_file()
            path = prepare(spec)
            took = f"{time.monotonic() - started:.1f} s" if fresh else "ready"
            line = f"{spec.label} (weight {spec.weight}, {spec.charset}): {path.name} [{took}]"
            if check:
                missing = gb2312_coverage(spec.path, spec.index)
                line += f"; lacks {len(missing)} of GB 2312 {''.join(missing[:20])}"
            self.stdout.write(line)
