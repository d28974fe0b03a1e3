"""The benchmark behind ``skfashion benchmark``: skfashion's Keras models against
classical scikit-learn models on Fashion-MNIST, with a report.

``_models`` holds the models and the published figures, ``_run`` fits and times
them (with repeats and McNemar's test), ``_report`` writes the pages, data and
pictures, ``_progress`` shows where the run is.
"""

from ._models import DEFAULT_MODELS, MODELS, PAPER_ACCURACY, fashion_cnn, resolve_models
from ._progress import BenchmarkProgress
from ._report import check_output, environment, machine_summary, write_report
from ._stats import mcnemar
from ._result import Result
from ._run import run_benchmark
from ._tables import compare_best, format_comparison, format_table

__all__ = [
    "DEFAULT_MODELS",
    "MODELS",
    "PAPER_ACCURACY",
    "BenchmarkProgress",
    "Result",
    "check_output",
    "compare_best",
    "environment",
    "fashion_cnn",
    "format_comparison",
    "format_table",
    "machine_summary",
    "mcnemar",
    "resolve_models",
    "run_benchmark",
    "write_report",
]
