"""WHO 2021 24-hour air-quality guidelines and the unit conversions needed to compare data with them.

OpenAQ reports gases either as mass concentrations (µg/m³, sometimes mg/m³) or as mixing ratios (ppm, ppb). A
guideline is a mass concentration, so every value is converted to its pollutant's *reporting unit* before it is
averaged or compared: µg/m³ for all of them except CO, whose guideline is in mg/m³. Mixing ratios become mass
concentrations at 25 °C and 1013.25 hPa (molar volume 24.45 L/mol), the reference conditions WHO 2021 states its
conversion factors at (NO₂: 1 ppb = 1.88 µg/m³, SO₂: 1 ppb = 2.62 µg/m³, CO: 1 ppm = 1.15 mg/m³). Units that cannot
be converted (e.g. particle counts) stay as they are and get no verdict.
"""

from dataclasses import dataclass

from assets.openaq.units import MICROGRAMS_PER_CUBIC_METRE, canonical_parameter, canonical_units

MILLIGRAMS_PER_CUBIC_METRE = "mg/m³"
SOURCE = "WHO global air quality guidelines (2021), 24-hour mean"
CONVERSION = "ppm/ppb converted to mass concentration at 25 °C and 1013.25 hPa (molar volume 24.45 L/mol)"
# Litres per mole of an ideal gas at 25 °C and 1013.25 hPa.
MOLAR_VOLUME_L = 24.45
# g/mol of the gases OpenAQ reports as mixing ratios.
MOLAR_MASS = {"no2": 46.0055, "so2": 64.066, "co": 28.010, "o3": 47.997, "no": 30.006}
# Particulate matter is only ever a mass concentration; it has a reporting unit but no molar mass.
_PARTICULATE = frozenset({"pm1", "pm25", "pm10", "bc"})


@dataclass(frozen=True)
class Guideline:
    """A 24-hour guideline level: the daily mean exceeds it when strictly greater than `level`, in `units`."""

    level: float
    units: str


WHO_2021_24H: dict[str, Guideline] = {
    "pm25": Guideline(15.0, MICROGRAMS_PER_CUBIC_METRE),
    "pm10": Guideline(45.0, MICROGRAMS_PER_CUBIC_METRE),
    "no2": Guideline(25.0, MICROGRAMS_PER_CUBIC_METRE),
    "so2": Guideline(40.0, MICROGRAMS_PER_CUBIC_METRE),
    "co": Guideline(4.0, MILLIGRAMS_PER_CUBIC_METRE),
}


def reporting_units(parameter: str) -> str | None:
    """The unit a pollutant is summarised in (its guideline's, else µg/m³ for mass-measurable ones), None when the
    pollutant has none (it is then summarised in the units the data carries)."""
    name = canonical_parameter(parameter)
    if name in WHO_2021_24H:
        return WHO_2021_24H[name].units
    if name in MOLAR_MASS or name in _PARTICULATE:
        return MICROGRAMS_PER_CUBIC_METRE
    return None


def conversion(parameter: str, units: str) -> tuple[str, float]:
    """`(units the value is summarised in, factor to multiply it by)` for a value of `parameter` in `units`:
    `("mg/m³", 1.1456)` for CO in ppm; `(units, 1.0)` unchanged when no conversion applies."""
    given = canonical_units(units)
    target = reporting_units(parameter)
    if target is None or given == target:
        return given, 1.0
    to_micrograms = _to_micrograms(canonical_parameter(parameter), given)
    if to_micrograms is None:
        return given, 1.0
    return target, to_micrograms / (1000.0 if target == MILLIGRAMS_PER_CUBIC_METRE else 1.0)


def _to_micrograms(parameter: str, units: str) -> float | None:
    """Factor from `units` to µg/m³, None when the value cannot be expressed as a mass concentration."""
    if units == MICROGRAMS_PER_CUBIC_METRE:
        return 1.0
    if units == MILLIGRAMS_PER_CUBIC_METRE:
        return 1000.0
    molar_mass = MOLAR_MASS.get(parameter)
    if molar_mass is None:
        return None
    per_ppb = molar_mass / MOLAR_VOLUME_L  # µg/m³ per ppb
    return {"ppb": per_ppb, "ppm": 1000.0 * per_ppb}.get(units)


def guideline_for(parameter: str, units: str) -> Guideline | None:
    """The guideline a daily mean of `parameter` in `units` can be compared with: only in the guideline's own unit."""
    guideline = WHO_2021_24H.get(canonical_parameter(parameter))
    return guideline if guideline is not None and guideline.units == canonical_units(units) else None
