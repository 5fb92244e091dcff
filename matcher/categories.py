"""The item categories: one canonical name each, and the one name per language students see.

The canonical English name is what the database, the CLI, the API and the evaluation files carry,
and it is also the English display name, so that every interface says the same thing. The bot
shows `display_name(category, lang)`; `matcher.lexicon.parse_category` reads every displayed name
back, and the aliases below (old spellings, synonyms, the formal Sinhala names), so that stored
data and API callers using an older name keep working.
"""

from __future__ import annotations

CATEGORIES: tuple[str, ...] = (
    "Wallet", "Phone", "Keys", "Bag", "ID Card", "Laptop", "Electronics", "Books & Stationery",
    "Clothing", "Jewellery & Watches", "Umbrella", "Water Bottle", "Glasses", "Documents", "Other",
)
SENSITIVE_CATEGORIES: frozenset[str] = frozenset({"ID Card", "Documents"})

# What the bot shows, per language. English shows the canonical names themselves.
DISPLAY_NAMES: dict[str, dict[str, str]] = {
    "en": {c: c for c in CATEGORIES},
    "si": {
        "Wallet": "පසුම්බිය",
        "Phone": "ෆෝන්",
        "Keys": "යතුරු",
        "Bag": "බෑග්",
        "ID Card": "ID කාඩ්",
        "Laptop": "ලැප්ටොප්",
        "Electronics": "ඉලෙක්ට්\u200dරොනික උපකරණ",
        "Books & Stationery": "පොත් & ලිපි ද්\u200dරව්\u200dය",
        "Clothing": "ඇඳුම්",
        "Jewellery & Watches": "ආභරණ & ඔරලෝසු",
        "Umbrella": "කුඩය",
        "Water Bottle": "වතුර බෝතලය",
        "Glasses": "කණ්ණාඩි",
        "Documents": "ලියකියවිලි",
        "Other": "වෙනත්",
    },
}

# Other names that mean a category: old canonical spellings, English synonyms, formal Sinhala.
ALIASES: dict[str, str] = {
    "Jewelry & Watches": "Jewellery & Watches", "jewellery": "Jewellery & Watches",
    "jewelry": "Jewellery & Watches", "watch": "Jewellery & Watches",
    "watches": "Jewellery & Watches", "jewellery watches": "Jewellery & Watches",
    "jewels": "Jewellery & Watches",
    "id": "ID Card", "nic": "ID Card", "identity card": "ID Card", "cards": "ID Card",
    "id card": "ID Card", "student id": "ID Card",
    "books": "Books & Stationery", "book": "Books & Stationery",
    "stationery": "Books & Stationery", "stationary": "Books & Stationery",
    "wallets": "Wallet", "purse": "Wallet", "phones": "Phone", "mobile": "Phone",
    "mobile phone": "Phone", "key": "Keys", "bags": "Bag", "laptops": "Laptop",
    "electronic": "Electronics", "clothes": "Clothing", "umbrellas": "Umbrella",
    "bottle": "Water Bottle", "spectacles": "Glasses", "specs": "Glasses",
    "document": "Documents", "docs": "Documents", "others": "Other", "misc": "Other",
    "පසුම්බි": "Wallet", "දුරකථනය": "Phone", "යතුර": "Keys", "බෑගය": "Bag",
    "හැඳුනුම්පත": "ID Card", "අයිඩී කාඩ්": "ID Card",
    "ඉලෙක්ට්\u200dරොනික": "Electronics", "පොත්": "Books & Stationery",
    "පොත් සහ ලිපි ද්\u200dරව්\u200dය": "Books & Stationery",
    "ලිපි ද්\u200dරව්\u200dය": "Books & Stationery", "ආභරණ": "Jewellery & Watches",
    "ඔරලෝසු": "Jewellery & Watches", "ආභරණ සහ ඔරලෝසු": "Jewellery & Watches",
    "බෝතලය": "Water Bottle", "ලේඛන": "Documents",
}


def display_name(category: str, lang: str | None = "en") -> str:
    """The name students see for a category, in their language (English when unknown)."""
    names = DISPLAY_NAMES.get(lang or "en", DISPLAY_NAMES["en"])
    return names.get(category) or DISPLAY_NAMES["en"].get(category, category)
