"""ReportLab's CJK line breaking, made right for Chinese.

Two fixes, both covered by tests/bulletins/test_pdf.py: Chinese full-width
punctuation never starts a line (it hangs in the margin, as in Chinese
typesetting), and a paragraph split across pages gets no spaces between its
lines.
"""

from reportlab.lib import textsplit as _rl_textsplit
from reportlab.platypus import Paragraph
from reportlab.platypus import paragraph as _rl_paragraph

# ReportLab's CJK line breaking keeps a "cannot start a line" character on the
# line before (hanging in the margin), but its list is Japanese: Chinese
# full-width punctuation would start lines. Add it to both copies of the list
# (textsplit for one-font paragraphs, paragraph for mixed ones); process-wide and
# harmless elsewhere, as these characters never start a line in CJK typesetting.
_CN_CANNOT_START = "，；：！？”’》〉」』）】〕…"
for _module in (_rl_textsplit, _rl_paragraph):
    _module.ALL_CANNOT_START += "".join(
        ch for ch in _CN_CANNOT_START if ch not in _module.ALL_CANNOT_START
    )


class CJKParagraph(Paragraph):
    """A Paragraph that splits across pages without inventing spaces."""

    def _get_split_blParaFunc(self):
        func = super()._get_split_blParaFunc()
        if func is _rl_paragraph._split_blParaHard:
            # ReportLab rejoins the lines of a paragraph split across pages with
            # a space at each line end (right for Latin, wrong for Chinese).
            return _split_without_spaces
        return func


def _split_without_spaces(blPara, start, stop):
    return [word for line in blPara.lines[start:stop] for word in line.words]
