"""The rough edges a new user met (issue 43, item 4), each held by its message or
its measurement: a mistyped ``--data-home``, help that says each default once,
the command line's own words, lines that fit a terminal, a saved builder,
titles that keep apart, docstrings that link the guide, install hints that work
without PyPI."""

import io
import re
import warnings

import keras
import numpy as np
import pytest

from skfashion.cli import build_parser, main


def _help(*argv):
    parser = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args([*argv, "--help"])


def test_a_mistyped_data_home_is_a_command_line_error(capsys, tmp_path):
    """Before: ``show --data-home /nonexistent`` read the system copy, rc 0."""
    missing = tmp_path / "nonexistent"
    for argv in (["show", "--quick"], ["data"], ["train", "--quick"]):
        with pytest.raises(SystemExit) as exit_:
            main([*argv, "--data-home", str(missing)])
        assert exit_.value.code == 2
        err = capsys.readouterr().err
        assert f"argument --data-home: {missing} does not exist" in err


def test_a_data_home_without_the_files_says_where_the_data_came_from(capsys, tmp_path,
                                                                     official_dir):
    """Before: ``data --data-home EMPTY`` listed 0/4 files and said nothing more."""
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["data", "--data-home", str(empty)]) == 0
    err = capsys.readouterr().err
    assert (f"--data-home {empty} holds 0/4 of Fashion-MNIST's files; using "
            f"{official_dir} instead.") in err


def test_help_gives_each_default_once(capsys):
    _help("export")
    out = capsys.readouterr().out
    assert "(default: None)" not in out and "(default: False)" not in out
    assert not re.search(r"\(default[^)]*\)\s*\(default", out.replace("\n", " "))
    _help("benchmark")
    out = " ".join(capsys.readouterr().out.split())
    assert "(default from $DASK_SCHEDULER_ADDRESS)" in out
    assert "$DASK_SCHEDULER_ADDRESS) (default" not in out
    assert "(default: 2)" in out  # a real default is still shown


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "m.skf"
    assert main(["train", "--quick", "-q", "--epochs", "1", "--output", str(path)]) == 0
    return path


def test_export_speaks_the_command_lines_words(trained, capsys):
    """Before: ``export m.skf m.txt`` said "give format=" (the Python argument)."""
    assert main(["export", str(trained), str(trained.with_suffix(".txt"))]) == 1
    err = capsys.readouterr().err
    assert "give --format (keras, tf_saved_model, onnx)" in err and "format=" not in err


def test_train_names_the_model_it_trained(tmp_path, capsys):
    """Before: ``train --model mlp`` printed "Trained SoftmaxClassifier"."""
    from skfashion.benchmark import MODELS

    assert main(["train", "--quick", "-q", "--model", "mlp", "--epochs", "1", "--output",
                 str(tmp_path / "mlp.skf")]) == 0
    assert f"Trained {MODELS['mlp'].label} on " in capsys.readouterr().out


def test_show_names_its_source_once(tmp_path, capsys):
    """Before: "Wrote grid.png (from Fashion-MNIST from /usr/share/...)"."""
    pytest.importorskip("matplotlib")
    assert main(["show", "--quick", "--output", str(tmp_path / "grid.png")]) == 0
    out = capsys.readouterr().out
    assert "(from " not in out and out.count("Fashion-MNIST") == 1


def test_evaluate_prints_a_matrix_that_fits_a_terminal(trained, capsys):
    """Before: 143 columns for the ten classes. The oracle: scikit-learn's matrix."""
    from sklearn.metrics import confusion_matrix

    import skfashion
    from skfashion.datasets import CLASS_NAMES, load_sample

    assert main(["evaluate", str(trained), "--quick"]) == 0
    out = capsys.readouterr().out
    lines = out.split("confusion matrix")[1].splitlines()[1:12]
    assert max(len(line) for line in lines) <= 80
    _, (X_test, y_test) = load_sample()
    cm = confusion_matrix(y_test, skfashion.load(trained).predict(X_test), labels=range(10))
    for i, (line, row) in enumerate(zip(lines[1:], cm)):
        assert line.startswith(f"{i} {CLASS_NAMES[i]}")
        assert [int(v) for v in line[len(f"{i} {CLASS_NAMES[i]}"):].split()] == row.tolist()


def test_the_not_run_line_fits_a_terminal(capsys, tmp_path):
    """Before: a 204-character "Not run" line."""
    assert main(["benchmark", "--quick", "--models", "sgd", "--repeats", "1",
                 "--output", str(tmp_path / "report")]) == 0
    err = capsys.readouterr().err
    not_run = [line for line in err.splitlines() if line.startswith("Not run")]
    assert not_run and all(len(line) <= 100 for line in not_run)
    assert "--models svc" in not_run[0]


def test_no_empty_bar_is_drawn_around_the_data_line():
    """Before: the live bar started at 0% before the first model, around "Data:"."""
    from skfashion.benchmark import BenchmarkProgress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    out = Terminal()
    progress = BenchmarkProgress(2, stream=out)
    progress.log("Data: the embedded sample")
    assert out.getvalue() == "Data: the embedded sample\n"  # a plain line, no bar
    progress.start("LogisticRegression", 1)
    progress.phase("predict", 0.5)
    progress.done("LogisticRegression: accuracy 0.84")
    progress.close()
    assert "50%" in out.getvalue()  # the bar came with the model


def _build(meta):
    model = keras.Sequential([keras.Input((meta["n_features_in_"],)),
                              keras.layers.Dense(meta["n_classes_"], activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy")
    return model


def test_saving_a_builder_says_it_is_not_saved(tmp_path):
    """Before: ``save(pipe)`` silently replaced the builder by the fitted model."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    import skfashion
    from skfashion import KerasClassifier, SoftmaxClassifier

    X = np.random.default_rng(0).random((40, 5)).astype("float32")
    y = np.arange(40) % 3
    pipe = make_pipeline(StandardScaler(), KerasClassifier(_build, epochs=1, verbose=0,
                                                           random_state=0)).fit(X, y)
    with pytest.warns(UserWarning, match=r"model builder is code, not data, and is not "
                      r"saved \(kerasclassifier__model='_build'\)"):
        skipped = skfashion.save(pipe, tmp_path / "p.skf")
    assert skipped == ["kerasclassifier__model"]
    loaded = skfashion.load(tmp_path / "p.skf")
    np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))
    assert isinstance(loaded[-1].model, keras.Model)  # what the warning says
    with warnings.catch_warnings():  # an estimator without a builder: nothing to say
        warnings.simplefilter("error", UserWarning)
        skfashion.save(SoftmaxClassifier(epochs=1).fit(X, y), tmp_path / "s.skf")


def test_misclassified_titles_keep_apart_on_the_users_axes():
    """Before: on the user's axes the titles of neighbours overlapped and the
    caption (which mistakes these are) was dropped. Measured in the drawn figure."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skfashion.plotting import MisclassifiedDisplay

    images = np.random.default_rng(0).integers(0, 255, (10, 28, 28)).astype("uint8")
    y = np.arange(10)
    for figsize in ((6, 3), (8, 4), (11, 5)):
        fig, axes = plt.subplots(2, 5, figsize=figsize)
        MisclassifiedDisplay.from_predictions(y, (y + 1) % 10, images=images,
                                              confidence=np.linspace(0.5, 0.9, 10), ax=axes)
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        for row in axes:
            boxes = [a.title.get_window_extent(renderer) for a in row]
            assert all(b.x0 >= a.x1 for a, b in zip(boxes, boxes[1:])), figsize
        below = [a.title.get_window_extent(renderer) for a in axes[1]]
        above = [a.get_window_extent(renderer) for a in axes[0]]
        assert all(t.y1 <= i.y0 for t, i in zip(below, above))
        assert fig._suptitle is not None and "most confident" in fig._suptitle.get_text()
        plt.close(fig)


def test_docstrings_link_the_guide_pages():
    """Before: "see the README's ..." in plain text."""
    from skfashion import KerasClassifier, SoftmaxClassifier

    assert ":doc:`Migrating from scikeras </guide/migrating>`" in KerasClassifier.__doc__
    for cls in (KerasClassifier, SoftmaxClassifier):
        assert "the README" not in cls.__doc__
        assert ":doc:`/guide/randomness`" in cls.__doc__


def test_install_hints_work_without_pypi(monkeypatch):
    """skfashion is not on PyPI: a hint installs the packages themselves, or the
    extra from the source folder."""
    import sys

    from skfashion._support._optional import import_optional

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError) as error:
        import_optional("matplotlib", "this test")
    assert str(error.value) == ("this test needs matplotlib: pip install matplotlib (or, in "
                                "skfashion's source folder, pip install '.[plotting]').")


def test_the_save_load_example_prints_no_path_of_the_machine_that_ran_it(capsys, monkeypatch):
    """Before: the gallery page showed the build machine's temporary path."""
    import runpy
    import tempfile
    from pathlib import Path

    pytest.importorskip("matplotlib")
    example = Path(__file__).resolve().parents[1] / "examples" / "plot_save_load.py"
    monkeypatch.chdir(tempfile.mkdtemp())
    runpy.run_path(str(example), run_name="__main__")
    out = capsys.readouterr().out
    assert "refused: <folder>/bad.skf" in out
    assert tempfile.gettempdir() not in out
