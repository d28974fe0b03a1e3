import json
import subprocess
import sys

import pytest

from skfashion.cli import main


def test_quick_benchmark_writes_report(tmp_path, capsys):
    out = tmp_path / "report"
    code = main(["benchmark", "--quick", "--models", "softmax,logistic", "--output", str(out)])
    assert code == 0
    captured = capsys.readouterr()
    assert "| SoftmaxClassifier (tutorial) |" in captured.out
    assert "| LogisticRegression |" in captured.out and "0.842" in captured.out  # paper figure
    assert "embedded sample" in captured.out
    assert "[1/4] load data ..." in captured.err  # progress lines when not a terminal
    files = {p.name for p in out.iterdir()}
    assert {"report.md", "results.json", "results.csv", "samples.png", "confusion_matrices.png",
            "training_curves.png", "accuracy_vs_time.png", "misclassified.png"} <= files
    report = (out / "report.md").read_text()
    for png in ("samples.png", "confusion_matrices.png", "accuracy_vs_time.png"):
        assert f"]({png})" in report
    rows = json.loads((out / "results.json").read_text())["results"]
    assert [r["model"] for r in rows] == ["softmax", "logistic"]
    assert all(0 < r["accuracy"] <= 1 and r["fit_seconds"] > 0 for r in rows)


def test_quiet_benchmark_prints_only_the_table(tmp_path, capsys):
    assert main(["benchmark", "--quick", "-q", "--models", "sgd", "--output", ""]) == 0
    captured = capsys.readouterr()
    assert captured.err == "" and "| SGDClassifier |" in captured.out


def test_unknown_model_is_exit_code_1(capsys):
    assert main(["benchmark", "--quick", "--models", "softmax,xgboost"]) == 1
    assert "Unknown model(s) ['xgboost']" in capsys.readouterr().err


def test_bad_command_line_is_exit_code_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["benchmark", "--n-jobs", "many"])
    assert info.value.code == 2


def test_data_command(official_dir, capsys):
    assert main(["data", "--verify"]) == 0
    out = capsys.readouterr().out
    assert "<- used" in out and "SHA-256" in out


def test_data_command_when_missing(isolated_lookup, capsys):
    assert main(["data"]) == 1
    assert "apt-get install dataset-fashion-mnist" in capsys.readouterr().out


def test_show_train_evaluate(tmp_path, capsys):
    png = tmp_path / "grid.png"
    assert main(["show", "--quick", "--output", str(png)]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"
    model = tmp_path / "m.skf"
    assert main(["train", "--quick", "-q", "--epochs", "1", "--output", str(model)]) == 0
    assert main(["evaluate", str(model), "--quick", "--output", str(tmp_path / "cm.png")]) == 0
    out = capsys.readouterr().out
    assert "accuracy: 0." in out and "confusion matrix" in out and "Ankle bo" in out
    assert main(["evaluate", str(tmp_path / "missing.skf"), "--quick"]) == 1


def test_python_dash_m_help():
    out = subprocess.run([sys.executable, "-m", "skfashion", "benchmark", "--help"],
                         capture_output=True, text=True, check=True).stdout
    for option in ("--models", "--quick", "--n-jobs", "--random-state", "--output", "--dask"):
        assert option in out


def test_verbose_benchmark_reports_each_epoch(capsys):
    assert main(["benchmark", "--quick", "-v", "--models", "softmax", "--output", ""]) == 0
    err = capsys.readouterr().err
    for epoch in range(1, 6):
        assert f"epoch {epoch}/5: accuracy" in err
