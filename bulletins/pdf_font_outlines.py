"""Outline and naming work on a font being prepared (bulletins/pdf_fonts.py, ``prepare``)."""

from __future__ import annotations

WEIGHT_NAMES = {100: "Thin", 300: "Light", 400: "Regular", 500: "Medium", 700: "Bold", 900: "Black"}


def rename_instance(font, weight: int) -> None:
    """Name an instance after its weight (the PDF lists fonts by PostScript name)."""
    name = font["name"]
    family = name.getBestFamilyName() or "Font"
    style = WEIGHT_NAMES.get(weight, f"W{weight}")
    name.setName(f"{family} {style}", 4, 3, 1, 0x409)
    name.setName(f"{family.replace(' ', '')}-{style}", 6, 3, 1, 0x409)
    name.removeNames(nameID=6, platformID=1)


def cff_to_glyf(font) -> None:
    """Replace CFF (cubic) outlines with TrueType (quadratic) ones, in place."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    for tag in ("CFF ", "CFF2", "VORG"):
        if tag in font:
            del font[tag]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():
        width = hmtx[name][0]
        hmtx[name] = (width, getattr(glyph, "xMin", 0))
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    maxp.maxTwilightPoints = 0
    maxp.maxStorage = 0
    maxp.maxFunctionDefs = 0
    maxp.maxInstructionDefs = 0
    maxp.maxStackElements = 0
    maxp.maxSizeOfInstructions = 0
    maxp.maxComponentElements = max(
        (len(g.components) for g in glyphs.values() if hasattr(g, "components")), default=0
    )
    maxp.compile(font)  # recalculates the outline counts
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"


def name_postscript(font, weight: int, charset: str) -> None:
    """A PostScript name of its own per prepared file: the PDF names embedded subsets by it,
    and two blocks of one fallback face would otherwise clash in one document."""
    name = font["name"]
    family = "".join(ch for ch in (name.getBestFamilyName() or "Font") if ch.isalnum())
    tag = "" if charset == "common" else f"-{charset.replace('block-', 'U')}"
    name.setName(f"{family}-{WEIGHT_NAMES.get(weight, weight)}{tag}", 6, 3, 1, 0x409)
    name.removeNames(nameID=6, platformID=1)
