"""``skfashion.export``: a fitted pipeline as one file for serving, one
module per format."""
