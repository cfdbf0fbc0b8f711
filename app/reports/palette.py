"""Band colours shared by charts, tables and legends (a colour-blind-safe diverging scale)."""

from __future__ import annotations

# Red → grey → blue (ColorBrewer RdBu): readable for the common colour-vision deficiencies,
# and every use also prints the band label, so colour is never the only cue.
BAND_COLOURS: dict[str, str] = {
    "risk": "#b2182b",
    "small_risk": "#ef8a62",
    "medium_impact": "#bababa",
    "small_strength": "#67a9cf",
    "strength": "#2166ac",
}
# Light tints for the band zones behind a scale.
BAND_TINTS: dict[str, str] = {
    "risk": "#f6d5d8",
    "small_risk": "#fbe3d8",
    "medium_impact": "#eeeeee",
    "small_strength": "#dcebf4",
    "strength": "#d0dff0",
}
# Text on a full-colour band swatch: white on the dark ends, black on the light middle.
BAND_TEXT: dict[str, str] = {
    "risk": "#ffffff",
    "small_risk": "#000000",
    "medium_impact": "#000000",
    "small_strength": "#000000",
    "strength": "#ffffff",
}
