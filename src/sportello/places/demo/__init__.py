"""The demo stradario: `streetmap` holds the street names, neighbourhoods and coastline of the
demo town, `town` lays out its streets and civic numbers."""
