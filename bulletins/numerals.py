"""Chinese numerals as printed on an issue: 第四期, 第十二期, 二〇二〇年."""

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
