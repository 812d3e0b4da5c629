"""One spelling per unit: providers write micrograms per cubic metre as `µg/m³`, `μg/m³`, `ug/m3`, `ug/m^3` ...

Sensors are picked and values range-checked by (parameter, units); comparing raw strings would silently skip a
sensor whose provider spells the same unit differently. Unknown units are returned as given (stripped), so they
stay visible as what they are.
"""

import unicodedata

# Canonical spellings, as the API's own examples write them.
MICROGRAMS_PER_CUBIC_METRE = "µg/m³"
_CANONICAL = {
    "ug/m3": MICROGRAMS_PER_CUBIC_METRE,
    "ugm-3": MICROGRAMS_PER_CUBIC_METRE,
    "ug m-3": MICROGRAMS_PER_CUBIC_METRE,
    "mg/m3": "mg/m³",
    "ppm": "ppm",
    "ppb": "ppb",
    "particles/cm3": "particles/cm³",
}


def _key(units: str) -> str:
    """Case, micro sign vs Greek mu, superscripts, `^` and spaces folded away."""
    folded = unicodedata.normalize("NFKC", units).strip().lower()  # NFKC: µ (U+00B5) -> μ (U+03BC), ³ -> 3
    folded = folded.replace("μ", "u").replace("^", "").replace("**", "")
    return " ".join(folded.split())


def canonical_units(units: str) -> str:
    """The project's spelling of `units` (e.g. 'ug/m3' -> 'µg/m³'); unknown units come back stripped, unchanged."""
    key = _key(units)
    return _CANONICAL.get(key) or _CANONICAL.get(key.replace(" ", "")) or units.strip()


def canonical_parameter(name: str) -> str:
    """Parameter names are compared lower-case without surrounding spaces ('PM25 ' -> 'pm25')."""
    return name.strip().lower()
