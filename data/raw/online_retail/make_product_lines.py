"""Derive ``product_lines.csv`` (StockCode → product line) for the Online Retail sample.

The source has no product category, so the sample's product lines come from keyword
rules on the product description (``Description``), applied in the order below: the
first rule with a matching word wins; postage, fees and adjustments are "service",
anything unmatched is "other". The mapping is data, not code: the cycle configs point
``research.product_lines`` at the CSV this writes, and an analyst may edit the CSV.

Run from the project root (needs only duckdb and the shipped parquet)::

    python data/raw/online_retail/make_product_lines.py
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "online_retail_2010_2011.parquet"
TARGET = HERE / "product_lines.csv"

# (line, words): a description containing any of the words (whole words, upper case) belongs to the line.
RULES = [
    ("service", {"POSTAGE", "CARRIAGE", "MANUAL", "CHARGES", "FEE", "DISCOUNT", "ADJUST", "SAMPLES", "DOTCOM"}),
    ("seasonal", {"CHRISTMAS", "XMAS", "ADVENT", "EASTER", "HALLOWEEN", "SNOWFLAKE", "REINDEER", "SANTA"}),
    ("candles & lighting", {"CANDLE", "CANDLES", "T-LIGHT", "T-LIGHTS", "TEALIGHT", "LIGHT", "LIGHTS", "LANTERN",
                            "LAMP", "NIGHTLIGHT", "CANDLEHOLDER"}),
    ("jewellery & accessories", {"NECKLACE", "EARRINGS", "BRACELET", "RING", "BROOCH", "CHARM", "HAIRCLIP",
                                 "HAIR", "PURSE", "UMBRELLA", "SCARF", "GLOVES", "WARMER", "FAN", "KEYRING", "WALLET"}),
    ("kitchen & dining", {"MUG", "MUGS", "CUP", "CUPS", "SAUCER", "BOWL", "BOWLS", "PLATE", "PLATES", "CAKE", "CAKESTAND",
                          "TEA", "TEAPOT", "CUTLERY", "SPOON", "SPOONS", "NAPKINS", "APRON", "BAKING", "LUNCH", "TRAY",
                          "JAR", "BOTTLE", "GLASS", "JUG", "KITCHEN", "CHOPSTICKS", "COASTER", "COASTERS",
                          "DOILY", "DOILIES", "PANTRY", "JELLY", "BISCUIT", "CASES", "TUMBLER", "JAM", "COOKIE",
                          "CUTTER", "CUTTERS", "OVEN", "BREAD", "DINER", "RECIPE", "EGG", "CHOPPING", "TEACUP"}),
    ("bags & storage", {"BAG", "BAGS", "BOX", "BOXES", "TIN", "TINS", "BASKET", "STORAGE", "HOLDER", "CASE", "CRATE",
                        "DRAWER", "WASHBAG", "SHOPPER", "TOTE", "HAMPER", "CONTAINER", "CHEST", "TRUNK"}),
    ("stationery & gift wrap", {"CARD", "CARDS", "PAPER", "WRAP", "NOTEBOOK", "PEN", "PENCIL", "PENCILS", "STICKER",
                                "STICKERS", "ENVELOPE", "ENVELOPES", "TAPE", "CALENDAR", "RIBBON", "RIBBONS", "TISSUE",
                                "TISSUES", "GIFT", "JOURNAL", "ERASER", "RULER", "TAGS", "BOOK", "NOTE", "NOTEBOOKS",
                                "STATIONERY", "MEMO", "POSTCARD", "LETTER"}),
    ("toys, crafts & party", {"PARTY", "TOY", "TOYS", "GAME", "GAMES", "DOLLY", "DOLL", "BUNTING", "BALLOON", "BALLOONS",
                      "CHILDREN'S", "CHILDRENS", "KIDS", "PUZZLE", "SPACEBOY", "PLAYHOUSE", "SKIPPING", "JIGSAW",
                      "RABBIT", "TEDDY", "CRAYONS", "PAINT", "PICNIC", "BLOCK", "KNITTING", "SKITTLES",
                      "SPINNING", "GLIDERS", "LADDERS", "BINGO", "MODELLING", "FELTCRAFT", "COLOURING", "SEWING",
                      "CRAFT", "DOMINOES", "MARBLES", "FLAG", "FLAGS"}),
    ("garden", {"GARDEN", "PLANT", "PLANTER", "WATERING", "BIRDHOUSE", "FEEDER", "FLOWER", "POT", "POTS", "HERB",
                "SEED", "PARASOL", "DOORMAT", "MAT", "KNEELING", "GARDENERS", "PEGS"}),
    ("home decor", {"FRAME", "MIRROR", "CLOCK", "CUSHION", "SIGN", "DECORATION", "HANGING", "WALL", "ORNAMENT", "VASE",
                    "HOOK", "HOOKS", "HEART", "WREATH", "CHALKBOARD", "PLAQUE", "BLANKET", "THROW", "DOORSTOP",
                    "GARLAND", "MOBILE", "CHIME", "LOVEBIRD", "SHELF", "CABINET", "QUILT", "PHOTO", "BELL",
                    "BELLS", "RACK", "BOARD", "BLACKBOARD", "STAR", "WICKER", "ZINC", "METAL"}),
]


def product_line(description: str | None) -> str:
    """The first product line whose words occur in ``description`` ("other" when none does)."""
    words = set(re.findall(r"[A-Z][A-Z'\-]*", (description or "").upper()))
    for line, keys in RULES:
        if words & keys:
            return line
    return "other"


def main() -> None:
    # Each StockCode's most frequent description (a few codes carry several spellings).
    products = duckdb.sql(f"""
        SELECT StockCode AS product, arg_max(Description, n) AS description
        FROM (SELECT StockCode, Description, count(*) AS n FROM '{SOURCE}'
              WHERE Description IS NOT NULL GROUP BY ALL)
        GROUP BY StockCode ORDER BY StockCode""").df()
    products["line"] = products["description"].map(product_line)
    products[["product", "line"]].to_csv(TARGET, index=False, lineterminator="\n")
    print(products["line"].value_counts().to_string())
    print(f"wrote {len(products):,} products to {TARGET}")


if __name__ == "__main__":
    main()
