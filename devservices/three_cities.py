"""A code location of the pipeline for Vienna, Graz and Linz (one zone, one date × city grid): what `make demo`
compiles and replays, and what the several-cities tests run as separate processes."""

from assets.city import GRAZ, LINZ, VIENNA
from assets.definitions import build_defs

CITIES = (VIENNA, GRAZ, LINZ)

defs = build_defs(CITIES)
