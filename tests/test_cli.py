import json
import os
import re
import subprocess
import sys
import zipfile

import keras
import numpy as np
import pytest

from skfashion.cli import main


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """One quick benchmark with a report, shared by the tests that read it."""
    out = tmp_path_factory.mktemp("bench") / "report"
    code = main(["benchmark", "--quick", "--models", "softmax, logistic", "--repeats", "2",
                 "--output", str(out)])
    assert code == 0
    return out


def test_quick_benchmark_writes_a_report(report, capsys):
    files = {p.name for p in report.iterdir()}
    assert {"report.md", "report.html", "results.json", "results.csv", "samples.png",
            "confusion_matrices.png", "training_curves.png", "accuracy_vs_time.png",
            "misclassified.png"} <= files
    page = (report / "report.md").read_text()
    for png in ("samples.png", "confusion_matrices.png", "accuracy_vs_time.png"):
        assert f"]({png})" in page
    doc = json.loads((report / "results.json").read_text())
    meta = doc["meta"]
    for key in ("date", "machine", "python", "skfashion", "scikit-learn", "keras",
                "keras_backend", "numpy"):
        assert meta[key] and key in page
    rows = {r["model"]: r for r in doc["results"]}
    assert set(rows) == {"softmax", "logistic"}
    assert len(rows["softmax"]["runs"]) == 2 and len(rows["logistic"]["runs"]) == 1
    assert [r["seed"] for r in rows["softmax"]["runs"]] == [0, 1]
    assert rows["softmax"]["accuracy_std"] > 0  # two seeds, two results
    assert 0 <= doc["comparison"]["p_value"] <= 1 and "McNemar" in page


def test_table_comparison_and_report_place_on_stdout(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["benchmark", "--quick", "-q", "--models", "sgd,softmax", "--repeats", "1",
                 "--output", str(out)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "| SGDClassifier |" in captured.out and "| SoftmaxClassifier (tutorial) |" \
        in captured.out
    assert "McNemar" in captured.out and f"Report: {out / 'report.md'}" in captured.out


def test_progress_lines_when_not_a_terminal(capsys):
    assert main(["benchmark", "--quick", "--models", "softmax", "--repeats", "1",
                 "--output", ""]) == 0
    err = capsys.readouterr().err
    assert "[1/1] SoftmaxClassifier (tutorial) (1 run) ..." in err
    assert "[1/1] SoftmaxClassifier (tutorial): accuracy 0." in err


def test_verbose_benchmark_reports_each_epoch(capsys):
    assert main(["benchmark", "--quick", "-v", "--models", "softmax", "--repeats", "1",
                 "--output", ""]) == 0
    err = capsys.readouterr().err
    for epoch in range(1, 6):
        assert f"fit 1/1, epoch {epoch}/5: accuracy" in err
    assert "predict" in err


@pytest.mark.parametrize("models, match", [
    ("softmax,xgboost", "Unknown model(s) ['xgboost']"),
    (" , ", "No model named"),
])
def test_unknown_model_is_exit_code_1(capsys, models, match):
    assert main(["benchmark", "--quick", "--models", models]) == 1
    assert match in capsys.readouterr().err


def test_a_bad_output_place_fails_before_any_fit(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert main(["benchmark", "--quick", "--models", "softmax", "--output", str(blocker)]) == 1
    captured = capsys.readouterr()
    assert "exists and is not a directory" in captured.err
    assert "SoftmaxClassifier" not in captured.err  # nothing was fitted


def test_bad_command_line_is_exit_code_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["benchmark", "--n-jobs", "many"])
    assert info.value.code == 2


def test_version_and_help_with_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["--version"])
    assert capsys.readouterr().out.startswith("skfashion ")
    out = subprocess.run([sys.executable, "-m", "skfashion", "benchmark", "--help"],
                         capture_output=True, text=True, check=True).stdout
    for option in ("--models", "--quick", "--n-jobs", "--random-state", "--output", "--dask",
                   "--repeats"):
        assert option in out
    assert "(default: 2)" in out and "cnn" in out and "knn" in out


def test_data_command(official_dir, capsys):
    assert main(["data", "--verify"]) == 0
    out = capsys.readouterr().out
    assert "<- used" in out and "SHA-256" in out


def test_data_command_when_missing(isolated_lookup, capsys):
    assert main(["data"]) == 1
    assert "apt-get install dataset-fashion-mnist" in capsys.readouterr().out


def test_show_train_evaluate(tmp_path, capsys):
    import skfashion

    png = tmp_path / "grid.png"
    assert main(["show", "--quick", "--output", str(png)]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"
    model = tmp_path / "m.skf"
    assert main(["train", "--quick", "-q", "--epochs", "1", "--output", str(model)]) == 0
    pipe = skfashion.load(model)  # the whole pipeline, scaling included
    assert [type(step).__name__ for step in pipe[:]] == ["PixelScaler", "SoftmaxClassifier"]
    assert main(["evaluate", str(model), "--quick", "--output", str(tmp_path / "cm.png")]) == 0
    out = capsys.readouterr().out
    assert "accuracy: 0." in out and "confusion matrix" in out
    assert "Ankle boot" in out and "T-shirt/top" in out  # full class names
    assert main(["evaluate", str(tmp_path / "missing.skf"), "--quick"]) == 1


def test_evaluate_refuses_a_malformed_file_without_a_traceback(tmp_path, capsys):
    bad = tmp_path / "bad.skf"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("skfashion.json", json.dumps({"format": "skfashion-estimator",
                                                  "format_version": 2, "root": {}}))
    assert main(["evaluate", str(bad), "--quick"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("skfashion: error:") and "Traceback" not in err
    assert str(bad) in err


def test_backend_start_up_lines_are_hidden(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "skfashion", "train", "--quick", "-q", "--epochs", "1",
         "--output", str(tmp_path / "m.skf")], capture_output=True, text=True, check=True)
    absl = re.compile(r"^[IWEF]\d{4} |absl::InitializeLog|oneDNN|cuda drivers")
    assert not [line for line in proc.stderr.splitlines() if absl.search(line)], proc.stderr


# Verbatim from TensorFlow 2.21 on a machine without a GPU.
TF_START_UP = """\
WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
I0000 00:00:1795824558.537676   19142 port.cc:153] oneDNN custom operations are on. You may see \
slightly different numerical results due to floating-point round-off errors from different \
computation orders. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.
I0000 00:00:1795824558.538033   19142 cudart_stub.cc:31] Could not find cuda drivers on your \
machine, GPU will not be used.
I0000 00:00:1795824558.584062   19142 cpu_feature_guard.cc:227] This TensorFlow binary is \
optimized to use available CPU instructions in performance-critical operations.
To enable the following instructions: AVX2 AVX512F AVX512_VNNI AVX512_BF16 FMA, in other \
operations, rebuild TensorFlow with the appropriate compiler flags.
E1127 14:02:11.123456   19142 cuda_driver.cc:40] failed call to cuInit: UNKNOWN ERROR (303)
"""


def test_native_noise_recognises_tensorflow_lines_and_keeps_the_rest():
    from skfashion._support._quiet import is_native_noise

    assert all(is_native_noise(line) for line in TF_START_UP.splitlines())
    for line in ("Epoch 1/5", "skfashion: error: no such file", "I0000 is a word",
                 "Traceback (most recent call last):", "WARNING: something else"):
        assert not is_native_noise(line)


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="TensorFlow's lines")
def test_native_noise_matches_what_this_tensorflow_prints():
    """Without the filter TensorFlow prints its lines, and the filter knows every one."""
    from skfashion._support._quiet import is_native_noise

    proc = subprocess.run(
        [sys.executable, "-c", "import keras; keras.ops.convert_to_numpy(keras.ops.ones((1,)))"],
        capture_output=True, text=True, check=True,
        env={**os.environ, "KERAS_BACKEND": "tensorflow"})
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    if not lines:
        pytest.skip("this TensorFlow printed nothing at start-up")
    assert [line for line in lines if not is_native_noise(line)] == []


@pytest.mark.parametrize("argv, match", [
    (["train", "--epochs", "0"], "--epochs: expected an integer >= 1, got 0"),
    (["benchmark", "--n-jobs", "0"], "--n-jobs: expected an integer >= 1 or -1, got 0"),
    (["benchmark", "--repeats", "0"], "--repeats: expected an integer >= 1, got 0"),
])
def test_out_of_range_numbers_are_command_line_errors(capsys, argv, match):
    """They ended in tracebacks from deep inside the fit."""
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2 and match in capsys.readouterr().err


def test_train_checks_its_output_before_training(tmp_path, capsys):
    missing = tmp_path / "no" / "such" / "dir" / "model.skf"
    assert main(["train", "--quick", "-q", "--output", str(missing)]) == 1
    err = capsys.readouterr().err
    assert "does not exist" in err and "Trained" not in err
    assert main(["train", "--quick", "-q", "--output", str(tmp_path)]) == 1
    assert "is a directory" in capsys.readouterr().err


def test_evaluate_names_what_it_wrote_and_reads_any_labels(tmp_path, capsys, sample):
    """Class names or an 11th class ended in tracebacks; ``--output cm`` wrote cm.png
    and said "Wrote cm"; a directory as output exited 0."""
    from sklearn.pipeline import make_pipeline

    import skfashion
    from skfashion import PixelScaler, SoftmaxClassifier
    from skfashion.datasets import CLASS_NAMES

    (X, y), _ = sample
    X, y = X[:301], np.r_[y[:300], 10]

    def saved(labels, name):
        pipe = make_pipeline(PixelScaler(), SoftmaxClassifier(epochs=1, random_state=0))
        skfashion.save(pipe.fit(X, labels), tmp_path / name)
        return str(tmp_path / name)

    eleven = saved(y, "eleven.skf")
    assert main(["evaluate", eleven, "--quick", "--output", str(tmp_path / "cm")]) == 0
    out = capsys.readouterr().out
    assert f"Wrote {tmp_path / 'cm.png'}" in out and (tmp_path / "cm.png").is_file()
    assert out.splitlines()[4].split()[-1] == "10"  # the 11th class is a column
    names = np.asarray(CLASS_NAMES + ("Sock",), dtype=object)[y]
    assert main(["evaluate", saved(names, "names.skf"), "--quick"]) == 1
    assert "neither Fashion-MNIST's labels 0-9 nor its class names" in capsys.readouterr().err
    real = saved(np.asarray(CLASS_NAMES, dtype=object)[y[:-1] % 10].tolist() + ["Bag"],
                 "real.skf")
    assert main(["evaluate", real, "--quick"]) == 0
    assert "accuracy: 0." in capsys.readouterr().out
    assert main(["evaluate", eleven, "--quick", "--output", str(tmp_path)]) == 1
    assert "is a directory" in capsys.readouterr().err


def test_every_option_of_a_command_is_used_by_it():
    """An option a command accepts must change what it does: each one is read
    (``args.<name>``) by the command or the helpers it calls; options that
    would do nothing are refused by the parser."""
    import inspect
    import re

    from skfashion import cli

    parser = cli.build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    helpers = {"_run_benchmark": cli._run_benchmark, "_data": cli._data, "_say": cli._say}
    for name, sub in commands.items():
        func = sub.get_default("func")
        source = inspect.getsource(func)
        for helper, fn in helpers.items():
            if f"{helper}(args" in source:
                source += inspect.getsource(fn)
        if name in ("benchmark", "train", "evaluate", "export"):
            source += inspect.getsource(cli.main)  # -v loads the backend with its logs
        read = set(re.findall(r"args\.(\w+)", source))
        for action in sub._actions:
            if action.dest in ("help",) or not action.option_strings:
                continue
            assert action.dest in read, f"skfashion {name} {action.option_strings[0]} does nothing"


@pytest.mark.parametrize("argv", [["data", "--quick"], ["data", "--random-state", "3"],
                                  ["data", "-q"], ["show", "-v"],
                                  ["evaluate", "m.skf", "--random-state", "3"]])
def test_options_that_would_do_nothing_are_refused(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


# ---------------------------------------------------------------- issue 30, item 18
def test_export_refuses_a_bad_input_dtype_before_loading(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["export", str(tmp_path / "m.skf"), str(tmp_path / "o.keras"),
              "--input-dtype", "foo"])
    assert info.value.code == 2
    assert "--input-dtype: expected an integer or float dtype" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["m.keras", "m.onnx"])
def test_train_refuses_a_model_format_name_before_training(tmp_path, capsys, name):
    assert main(["train", "--quick", "-q", "--output", str(tmp_path / name)]) == 1
    captured = capsys.readouterr()
    assert "Use skfashion.export" in captured.err and "'skfashion export'" in captured.err
    assert "Trained" not in captured.out and "Traceback" not in captured.err
    assert not (tmp_path / name).exists()


def test_benchmark_with_an_unreachable_scheduler_leaves_no_report_folder(tmp_path, capsys):
    pytest.importorskip("dask.distributed")
    import dask

    output = tmp_path / "report"
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):  # refused at once
        code = main(["benchmark", "--quick", "-q", "--models", "logistic", "--repeats", "1",
                     "--output", str(output), "--dask", "tcp://127.0.0.1:9"])
    assert code == 1
    assert "skfashion: error:" in capsys.readouterr().err
    assert not output.exists()


def _help_of(command, option):
    from skfashion.cli import build_parser

    sub = next(a for a in build_parser()._actions if getattr(a, "choices", None)
               and command in a.choices).choices[command]
    return next(a.help for a in sub._actions if option in a.option_strings)


def test_verbosity_flags_do_what_their_help_says(tmp_path, capsys, monkeypatch,
                                                 isolated_lookup):
    """Issue 33, item 6: each command's -q and -v help says what the flag changes
    for that command, and running the command with each flag does exactly that.
    train prints a line per epoch by default (-q: none; -v: the same lines, and
    the backend's start-up lines are not filtered); evaluate trains nothing, so
    its -v speaks only of the backend's lines, and its -q drops the note that
    the embedded sample stands in for the missing data."""
    from skfashion._support import _quiet

    quiet_loads = []
    real = _quiet.load_backend_quietly
    monkeypatch.setattr(_quiet, "load_backend_quietly",
                        lambda: (quiet_loads.append(1), real())[1])

    def run(*argv):
        quiet_loads.clear()
        assert main(list(argv)) == 0
        out = capsys.readouterr()
        return out.out + out.err, bool(quiet_loads)

    model = tmp_path / "m.skf"
    runs = {flag: run("train", "--epochs", "2", "--output", str(model), *flag)
            for flag in ((), ("-q",), ("-v",))}
    epochs = {flag: re.findall(r"^Epoch \d/2$", text, flags=re.M)
              for flag, (text, _) in runs.items()}
    assert epochs[()] == epochs[("-v",)] == ["Epoch 1/2", "Epoch 2/2"]
    assert epochs[("-q",)] == []
    assert [filtered for _, filtered in runs.values()] == [True, True, False]
    assert "no line per epoch" in _help_of("train", "-q")
    assert "start-up log lines" in _help_of("train", "-v") and \
        "without -v" in _help_of("train", "-v")

    note = "using the embedded sample instead"
    runs = {flag: run("evaluate", str(model), *flag) for flag in ((), ("-q",), ("-v",))}
    assert note in runs[()][0] and note in runs[("-v",)][0] and note not in runs[("-q",)][0]
    assert [filtered for _, filtered in runs.values()] == [True, True, False]
    for flag in ("-q", "-v"):
        assert "epoch" not in _help_of("evaluate", flag)
    assert "embedded sample" in _help_of("evaluate", "-q")
    assert "epoch" in _help_of("benchmark", "-v")  # test_verbose_benchmark_reports_each_epoch


def test_export_formats_are_one_record_each_that_the_command_line_reads(monkeypatch):
    """Issue 31, item 6: a format is declared once (``_export._FORMATS``); the
    command line's choices and help, ``export``'s name check and the suffix rule
    all read that record, so a format added there appears everywhere."""
    from skfashion._export import _api as _export
    from skfashion.cli import build_parser

    def export_action():
        sub = next(a for a in build_parser()._actions if getattr(a, "choices", None)
                   and "export" in a.choices).choices["export"]
        return {a.dest: a for a in sub._actions}

    actions = export_action()
    assert actions["format"].choices == list(_export.FORMATS) == list(_export._FORMATS)
    for fmt in _export._FORMATS.values():
        assert fmt.served_by in actions["format"].help and fmt.path_hint in actions["output"].help
        assert _export._infer_format(f"out/model{fmt.suffix}") == fmt.name

    written = []
    extra = _export.ExportFormat("npz", ".npz", "'<name>.npz'", "numpy.load",
                                 lambda model, plan, path: written.append(path))
    monkeypatch.setattr(_export, "_FORMATS", {**_export._FORMATS, "npz": extra})
    monkeypatch.setattr(_export, "FORMATS", tuple(_export._FORMATS))
    actions = export_action()
    assert "npz" in actions["format"].choices and "numpy.load" in actions["format"].help
    assert _export._infer_format("m.npz") == "npz"
