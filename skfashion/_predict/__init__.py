"""Prediction: the checked input through the model (``_outputs``) and the
fast inference path (``_fast_path``)."""
