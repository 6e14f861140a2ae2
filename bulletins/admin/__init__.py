"""The office's admin for bulletins, one module per idea (imports of ``bulletins.admin`` keep working).

- ``series``: bulletin series and their defaults;
- ``issues``: issues with articles, attachments and Word import, search by number,
  publish / schedule / withdraw actions;
- ``receipts``: the 签收情况 page, its list column and the 催签 action;
- ``meetings``: meeting records (会议纪要);
- ``editor``: the CSP nonce for the rich-text editor's import map.

State changes go through ``bulletins/services.py`` only; the admin never writes a status.
"""

from ..numerals import parse_number
from .editor import EditorNonceMixin
from .issues import ArticleInline, AttachmentInline, IssueAdmin
from .meetings import AgendaItemInline, MeetingAdmin
from .receipts import IssueReceiptsMixin
from .series import SeriesAdmin

__all__ = [
    "AgendaItemInline",
    "ArticleInline",
    "AttachmentInline",
    "EditorNonceMixin",
    "IssueAdmin",
    "IssueReceiptsMixin",
    "MeetingAdmin",
    "SeriesAdmin",
    "parse_number",
]
