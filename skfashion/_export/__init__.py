"""``skfashion.export``: a fitted pipeline as one file for serving.

The plan of what is exported (``_plan``, checked before anything is built),
the served Keras model (``_serving``), one module per format (``_keras_file``,
``_saved_model``, ``_onnx``) and the records that name them (``_api``: the
``export`` function and ``FORMATS``), as ``keras/src/export/`` is laid out.
"""

from ._api import FORMATS, ExportFormat, export  # noqa: F401 (the old module's names)
from ._plan import LABELS_MEMBER  # noqa: F401
from ._serving import build_serving_model  # noqa: F401
