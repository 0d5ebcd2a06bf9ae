"""The Welsh theme lexicon (a draft for a Welsh-speaking housing officer to review).

Welsh changes the first letter of a word after many small words (mutations): "tamprwydd"
(damp) is "damprwydd" after "ei" (his), "nhamprwydd" after "fy" (my) and "thamprwydd"
after "ei" (her); "llwydni" (mould) is "lwydni" in "smotiau o lwydni". A matcher that knew
only the dictionary form would miss most comments, so each stem below is listed in its
dictionary form and `mutations` adds the soft, nasal and aspirate forms. Mutated forms
shorter than four letters are left out: "glân" (clean) becomes "lân", and "lan" (up) is
everywhere in South Walian speech. Phrases in FIXED are matched as written (they begin with
a word that does not mutate, or their mutation would read as another word).

Stems match at the start of a word, so "swn" also finds "swnllyd" (noisy); plurals that
change their stem are listed on their own ("cymydog", "cymdogion"). Colloquial and
southern forms stand beside the standard ones ("brwnt" beside "budr", "twym" beside
"cynnes"), and words with a circumflex are listed with and without it, since phones make
it easy to leave it out.
"""

from __future__ import annotations

# Radical initial -> its soft, nasal and aspirate forms (longest initials first).
MUTATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ll", ("l",)),
    ("rh", ("r",)),
    ("p", ("b", "mh", "ph")),
    ("t", ("d", "nh", "th")),
    ("c", ("g", "ngh", "ch")),
    ("b", ("f", "m")),
    ("d", ("dd", "n")),
    ("g", ("", "ng")),
    ("m", ("f",)),
)
# Initials that look mutable but are letters of their own and never change.
UNCHANGING = ("ch", "ph", "th", "dd", "ff", "ng")
MIN_MUTATED = 4


def mutations(stem: str) -> tuple[str, ...]:
    """The stem and its mutated forms (only the first word of a phrase mutates)."""
    forms = [stem]
    lower = stem.lower()
    if lower.startswith(UNCHANGING):
        return tuple(forms)
    for radical, replacements in MUTATIONS:
        if lower.startswith(radical):
            rest = stem[len(radical) :]
            forms += [r + rest for r in replacements if len(r + rest.split(" ")[0]) >= MIN_MUTATED]
            break
    return tuple(dict.fromkeys(forms))


STEMS: dict[str, tuple[str, ...]] = {
    "repair_delays": (
        "aros", "disgwyl", "oedi", "oediad", "araf", "hwyr", "wythnosau", "misoedd",
        "amser hir", "ers amser", "ers misoedd", "ers wythnosau",
    ),
    "communication": (
        "cyfathreb", "cysylltu", "ffonio", "ffôn", "galw", "diweddariad", "gwybodaeth",
        "llythyr", "ymateb", "ateb", "neges", "e-bost", "ebost",
    ),
    "damp_mould": (
        "lleithder", "llaith", "llwydni", "llwydo", "tamprwydd", "tamp", "anwedd",
        "cyddwys", "gwlyb", "ffwng", "ffyngau",
    ),
    "staff_attitude": (
        "cwrtais", "anghwrtais", "anfoesgar", "digywilydd", "cyfeillgar", "anghyfeillgar",
        "parch", "amharchus", "agwedd", "cymwynasgar", "anghymwynasgar", "defnyddiol",
        "caredig", "proffesiynol", "amhroffesiynol", "swta",
    ),
    "antisocial_behaviour": (
        "gwrthgymdeithasol", "sŵn", "swn", "cymydog", "cymdogion", "cyffur", "bygwth",
        "bygyth", "aflonydd", "fandal", "graffiti", "meddw", "ymladd",
    ),
    "cleanliness": (
        "budr", "brwnt", "baw", "llanast", "glanhau", "glendid", "sbwriel", "ysbwriel",
        "taclus", "anniben", "blêr", "bler", "bin", "biniau",
    ),
    "value_for_money": (
        "rhent", "taliadau", "drud", "costus", "cost", "pris", "fforddio", "fforddiadwy",
        "arian",
    ),
    "heating_water": (
        "gwres", "gwresogi", "boeler", "rheiddiadur", "oer", "oerfel", "twym", "cynnes",
        "cawod",
    ),
    "quality_of_work": ("ansawdd", "crefftwaith", "gwaith gwael", "gwaith blêr", "gwaith da"),
    "communal_areas": (
        "cymunol", "grisiau", "lifft", "coridor", "cyntedd", "mynedfa", "golau", "goleuadau",
    ),
    "praise": (
        "diolch", "hapus", "gwych", "ardderchog", "bodlon", "arbennig", "canmol",
        "ffantastig",
    ),
}  # fmt: skip
FIXED: dict[str, tuple[str, ...]] = {
    "repair_delays": ("dal i aros", "heb ddod", "heb droi i fyny", "erioed wedi dod"),
    "communication": ("dim ateb", "heb ateb", "heb glywed", "neb wedi", "cael gwybod"),
    "damp_mould": ("smotiau du",),
    "value_for_money": ("tâl gwasanaeth", "tal gwasanaeth", "gwerth am arian"),
    "heating_water": ("dŵr poeth", "dwr poeth", "dim dŵr", "dim dwr"),
    "quality_of_work": (
        "heb ei drwsio", "heb eu trwsio", "dal wedi torri", "wedi torri eto", "eto",
        "yn iawn", "y tro cyntaf",
    ),
    "communal_areas": ("mannau cymunol", "ardal gymunol", "drws mynediad"),
    "praise": ("da iawn", "gwasanaeth da"),
}  # fmt: skip


def welsh_lexicon() -> dict[str, tuple[str, ...]]:
    """Theme -> every form to match: the stems with their mutations, then fixed phrases."""
    lexicon: dict[str, tuple[str, ...]] = {}
    for theme in STEMS:
        forms = [form for stem in STEMS.get(theme, ()) for form in mutations(stem)]
        lexicon[theme] = tuple(dict.fromkeys([*forms, *FIXED.get(theme, ())]))
    return lexicon
