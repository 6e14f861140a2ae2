"""Chinese numerals as printed on an issue (第四期, 第十二期) and as typed back (parse_number)."""

DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (0 < n < 10000)."""
    if n <= 0 or n >= 10000:
        return str(n)
    units = [(1000, "千"), (100, "百"), (10, "十"), (1, "")]
    out = []
    zero = False
    for value, name in units:
        d = n // value % 10
        if d == 0:
            if out:
                zero = True
            continue
        if zero:
            out.append("零")
            zero = False
        if not (value == 10 and d == 1 and not out):
            out.append(DIGITS[d])
        out.append(name)
    return "".join(out)


def parse_number(term: str) -> int | None:
    """An issue number as typed in a search box: "4", "第4期", "四", "第十二期" → 4 / 12.

    Accepts Arabic digits or Chinese numerals up to 九十九, with or without 第…期;
    returns None for anything else (never raises).
    """
    term = term.strip().removeprefix("第").removesuffix("期")
    if term.isdigit():
        return int(term)
    if not term or any(ch not in DIGITS + "十" for ch in term):
        return None
    if "十" in term:
        tens, _sep, ones = term.partition("十")
        if len(tens) > 1 or len(ones) > 1:
            return None
        return (DIGITS.index(tens) if tens else 1) * 10 + (DIGITS.index(ones) if ones else 0)
    if len(term) == 1:
        return DIGITS.index(term) or None
    return None
