"""One benchmark run of one model: what it measured (accuracy, times, the fitted
model's predictions) and how it is stored and read back."""

from dataclasses import asdict, dataclass, field
from typing import Optional

import numpy as np

from ._models import MODELS, PAPER_ACCURACY


@dataclass
class Result:
    """One model's results over its runs.

    A dataclass: each parameter is kept as the attribute of its name.
    :meth:`from_runs` makes one from the runs, as :func:`run_benchmark` does.

    Parameters
    ----------
    model, label : str
        Name and display name.
    keras : bool
        A Keras model.
    runs : list of dict
        Per run: ``seed``, ``accuracy``, ``fit_seconds``, ``predict_seconds``.
    accuracy, accuracy_std : float
        Mean and standard deviation of the test accuracy over the runs.
    fit_seconds, fit_std : float
        Mean and standard deviation of the fit time.
    predict_ms_per_1000 : float
        Mean time to predict 1,000 test images.
    paper_accuracy : float or None, default=None
        The published figure for this kind of model.
    predict_std : float, default=0.0
        Standard deviation of the prediction time over the runs (ms per 1,000
        images; 0 for a model run once).
    n_train, n_test : int, default=0
        Training and test images.
    y_pred : list, default=[]
        Test predictions of the first run.
    history : dict, default={}
        Training history of the first run (Keras models).
    y_confidence : list, default=[]
        The probability the first run gave each test prediction (the row
        maximum of ``predict_proba``; Keras models).

    See Also
    --------
    run_benchmark : Returns one per model.
    format_table : The results as a Markdown table.

    Examples
    --------
    >>> from skfashion.benchmark import Result
    >>> runs = [{"seed": 0, "accuracy": 0.75, "fit_seconds": 1.0, "predict_seconds": 0.002,
    ...          "y_pred": [0, 1, 2, 2]},
    ...         {"seed": 1, "accuracy": 0.85, "fit_seconds": 1.2, "predict_seconds": 0.002}]
    >>> result = Result.from_runs("softmax", runs, n_train=3000)
    >>> result.label, round(result.accuracy, 2), round(result.accuracy_std, 4), result.n_test
    ('SoftmaxClassifier (tutorial)', 0.8, 0.0707, 4)
    >>> result.predict_ms_per_1000  # 2 ms for 4 images
    500.0
    """

    model: str
    label: str
    keras: bool
    runs: list
    accuracy: float
    accuracy_std: float
    fit_seconds: float
    fit_std: float
    predict_ms_per_1000: float
    paper_accuracy: Optional[float] = None
    predict_std: float = 0.0  # ms per 1,000 images, over the runs
    n_train: int = 0
    n_test: int = 0
    y_pred: list = field(default_factory=list, repr=False)
    history: dict = field(default_factory=dict, repr=False)
    y_confidence: list = field(default_factory=list, repr=False)

    @property
    def total_seconds(self):
        """Fit plus prediction of the whole test set, the time a user pays."""
        return self.fit_seconds + self.predict_ms_per_1000 * self.n_test / 1e6

    def row(self):
        """The public fields, without the per-sample predictions and history.

        Returns
        -------
        row : dict
        """
        d = asdict(self)
        for per_sample in ("y_pred", "history", "y_confidence"):
            d.pop(per_sample)
        return d

    @classmethod
    def from_runs(cls, model, runs, *, n_train=0, n_test=None):
        """The result of one of :data:`MODELS`' runs: their mean and spread.

        This is how :func:`run_benchmark` summarizes a model's repeats: the mean
        and standard deviation (``ddof=1``; 0 for one run) of the accuracy, fit
        time and prediction time, with the label, kind and published figure
        from :data:`MODELS` and :data:`PAPER_ACCURACY`.

        Parameters
        ----------
        model : str
            A key of :data:`MODELS`.
        runs : list of dict
            Per run: ``seed``, ``accuracy``, ``fit_seconds`` and
            ``predict_seconds`` (for the whole test set); the first run may
            also hold ``y_pred``, ``history`` and ``y_confidence``.
        n_train : int, default=0
            Training images.
        n_test : int, default=None
            Test images; None takes the length of the first run's ``y_pred``.

        Returns
        -------
        result : Result

        Raises
        ------
        ValueError
            An unknown model, no runs, a run without one of the four figures,
            or no ``n_test`` and no ``y_pred`` to count it from.
        """
        if model not in MODELS:
            raise ValueError(f"Unknown model {model!r}; known: {', '.join(MODELS)}.")
        if not runs:
            raise ValueError(f"No runs of {model!r} to summarize.")
        figures = ("seed", "accuracy", "fit_seconds", "predict_seconds")
        for run in runs:
            missing = [k for k in figures if k not in run]
            if missing:
                raise ValueError(f"A run of {model!r} lacks {', '.join(missing)}.")
        first = runs[0]
        if n_test is None:
            if "y_pred" not in first:
                raise ValueError("n_test is needed where the first run has no y_pred.")
            n_test = len(first["y_pred"])
        spec = MODELS[model]

        def mean_std(key, scale=1.0):
            values = scale * np.array([r[key] for r in runs], dtype=float)
            return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0

        accuracy, accuracy_std = mean_std("accuracy")
        fit_seconds, fit_std = mean_std("fit_seconds")
        predict_ms, predict_std = mean_std("predict_seconds", 1e6 / n_test)
        return cls(
            model=model, label=spec.label, keras=spec.keras,
            runs=[{k: r[k] for k in figures} for r in runs],
            accuracy=accuracy, accuracy_std=accuracy_std, fit_seconds=fit_seconds,
            fit_std=fit_std, predict_ms_per_1000=predict_ms, predict_std=predict_std,
            paper_accuracy=PAPER_ACCURACY.get(model), n_train=n_train, n_test=n_test,
            y_pred=first.get("y_pred", []), history=first.get("history", {}),
            y_confidence=first.get("y_confidence", []),
        )
