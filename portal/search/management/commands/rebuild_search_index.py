"""Rebuild the search index from the content, with a progress bar; safe to run at any time."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from portal.search import index


class Command(BaseCommand):
    help = (
        "Rebuild every search document from its object, for every kind the apps register "
        "(issues, meeting records, tasks, progress reports…), in short transactions (the "
        "site keeps running); documents of unregistered kinds or deleted objects go. --reset empties the "
        "index first: for a damaged token table or after a tokenizer change."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Empty the index first and load it in bulk (results are incomplete meanwhile).",
        )
        parser.add_argument("--batch-size", type=int, default=200)
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args, reset=False, batch_size=200, no_progress=False, verbosity=1, **kw):
        total = index.total_sources()
        bar = tqdm(
            total=total,
            unit="doc",
            desc="search index",
            file=self.stderr._out,
            disable=no_progress or verbosity == 0,
        )
        with bar:
            written = index.rebuild(reset=reset, batch_size=batch_size, progress=bar.update)
        if verbosity:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Search index rebuilt: {total} sources, {written} documents written."
                )
            )
