"""The ``skfashion`` command (also ``python -m skfashion``): parse, call, print.

Exit codes: 0 success; 1 the command failed for a reason it explains (missing
data or model file, bad model name or output place, missing optional
dependency), with a message on stderr; 2 the command line itself was wrong
(argparse). Anything else is a bug and shows its traceback.
"""

import argparse
import os
import sys
from pathlib import Path

import numpy as np

from ._support._cli_args import (
    CommandError,
    _Formatter,
    _file_output,
    _has_matplotlib,
    _existing_dir,
    _int_at_least,
    _load_average,
    _numeric_dtype,
)


EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def _say(args, text):
    if not args.quiet:
        print(text, file=sys.stderr, flush=True)


def _not_in_data_home(args, found):
    """Say so when ``--data-home`` was given but the data came from elsewhere."""
    if args.data_home is None or getattr(args, "quick", False):
        return
    home = Path(args.data_home)
    if found is None or Path(found).resolve() != home.resolve():
        from .datasets._fashion_mnist import FILES

        present = sum((home / name).is_file() for name in FILES)
        where = f"using {found} instead" if found is not None else "not found elsewhere either"
        print(f"skfashion: note: --data-home {home} holds {present}/4 of Fashion-MNIST's "
              f"files; {where}.", file=sys.stderr, flush=True)


def _data(args):
    from .datasets import find_data_dir
    from .datasets._fashion_mnist import load_or_sample

    _not_in_data_home(args, None if args.quick else find_data_dir(args.data_home))
    X, y, X_test, y_test, source, full = load_or_sample(data_home=args.data_home,
                                                        quick=args.quick)
    if not full and not args.quick:
        _say(args, "Full Fashion-MNIST not found (see 'skfashion data'): using the embedded "
                   "sample instead.")
    return X, y, X_test, y_test, source


def _pyplot():
    from ._support._optional import import_optional

    try:
        matplotlib = import_optional("matplotlib", "this command (it draws pictures)")
    except ImportError as exc:
        raise CommandError(str(exc)) from exc
    matplotlib.use("Agg")  # files only; this process has no screen
    return import_optional("matplotlib.pyplot", "this command")


# ------------------------------------------------------------------ commands
def cmd_benchmark(args):
    from .benchmark import check_output, resolve_models

    try:
        names = resolve_models(args.models)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    output = None
    created = bool(args.output) and not Path(args.output).exists()
    if args.output:
        try:
            output = check_output(args.output)  # before any model is fitted
        except OSError as exc:
            raise CommandError(str(exc)) from exc
    try:
        return _run_benchmark(args, names, output)
    except BaseException:
        # Nothing written (an unreachable --dask scheduler, an interrupt): leave no
        # empty report folder behind.
        if created and output is not None and output.is_dir() and not any(output.iterdir()):
            output.rmdir()
        raise


def _run_benchmark(args, names, output):
    from .benchmark import (
        MODELS,
        BenchmarkProgress,
        compare_best,
        format_comparison,
        format_table,
        machine_summary,
        run_benchmark,
        write_report,
    )

    X, y, X_test, y_test, source = _data(args)
    for name in set(MODELS) - set(names):
        if MODELS[name].note:
            _say(args, f"Not run: {MODELS[name].label}, {MODELS[name].note}")
    progress = BenchmarkProgress(len(names), level=0 if args.quiet else (2 if args.verbose else 1))
    progress.log(f"Data: {source}")
    settings = dict(models=names, repeats=args.repeats, random_state=args.random_state,
                    n_jobs=args.n_jobs, progress=progress)
    load_start = _load_average()  # timings mean more beside the machine's load
    try:
        if args.dask:
            with _dask(args.dask):
                results = run_benchmark(X, y, X_test, y_test, distributed=True, **settings)
        else:
            results = run_benchmark(X, y, X_test, y_test, **settings)
    finally:
        progress.close()
    print(f"\nData: {source}\nMachine: {machine_summary()}\n")
    print(format_table(results))
    comparison = format_comparison(compare_best(results, y_test))
    if comparison:
        print(comparison + "\n")
    if output is not None:
        if _has_matplotlib():
            _pyplot()
        else:
            from ._support._optional import install_hint

            _say(args, f"No pictures: {install_hint('plotting', 'matplotlib')}.")
        report = write_report(results, output, X_test=X_test, y_test=y_test,
                              data_source=source,
                              context={"repeats": args.repeats, "random_state": args.random_state,
                                       "n_jobs": args.n_jobs, "models": names,
                                       "load_average_start": load_start,
                                       "load_average_end": _load_average()})
        print(f"Report: {report} and {report.with_suffix('.html')}")
    return EXIT_OK


def _dask(address):
    from contextlib import contextmanager

    from ._support._optional import import_optional

    try:
        distributed = import_optional("dask.distributed", "--dask")
    except ImportError as exc:
        raise CommandError(str(exc)) from exc
    from ._support._dask import dask_backend

    @contextmanager
    def connected():
        with distributed.Client(address) as client, dask_backend(client):
            yield client  # the client is closed when the benchmark ends

    return connected()


def cmd_data(args):
    from .datasets import data_locations, find_data_dir
    from .datasets._fashion_mnist import DEBIAN_PACKAGE, ENV_VAR, FILES

    found = find_data_dir(args.data_home)
    print("Fashion-MNIST is looked up in, in order:")
    for label, path in data_locations(args.data_home):
        present = sum((path / name).is_file() for name in FILES)
        mark = "<- used" if path == found else f"({present}/4 files)"
        print(f"  {label}: {path} {mark}")
    _not_in_data_home(args, found)
    if found is None:
        print("\nNot found. To get it, do one of:\n"
              f"  apt-get install {DEBIAN_PACKAGE}\n"
              f"  export {ENV_VAR}=/dir/with/the/four/official/gz/files\n"
              "  python -c 'from skfashion.datasets import load_fashion_mnist; "
              "load_fashion_mnist()'   (downloads, checksum-verified)\n"
              "Without it, skfashion commands use the embedded sample (--quick).")
        return EXIT_FAILURE
    if args.verify:
        from .datasets import load_fashion_mnist

        load_fashion_mnist(data_home=args.data_home, download_if_missing=False)
        print("\nAll four files match the official SHA-256 checksums.")
    return EXIT_OK


def cmd_show(args):
    _pyplot()
    from .plotting import SampleGridDisplay

    X, y, _, _, source = _data(args)
    disp = SampleGridDisplay.from_dataset(X, y, random_state=args.random_state)
    disp.figure_.suptitle("Fashion-MNIST: one image per class")
    disp.figure_.savefig(args.output, dpi=110)
    print(f"Wrote {args.output} ({source})")
    return EXIT_OK


def cmd_train(args):
    from sklearn.pipeline import make_pipeline

    from . import save
    from ._estimators._pixel_scaler import PixelScaler
    from .benchmark import MODELS

    from ._persistence._skf import check_save_path

    output = _file_output(args.output)  # before the training, not after
    try:
        check_save_path(output)
    except ValueError as exc:
        raise CommandError(f"--output: {exc} ('skfashion export' writes those from the "
                           ".skf file 'skfashion train' saves.)") from exc
    X, y, X_test, y_test, source = _data(args)
    clf = MODELS[args.model].make(args.random_state, 1)
    if args.epochs is not None:
        clf.set_params(epochs=args.epochs)
    clf.set_params(verbose=0 if args.quiet else 2)
    pipe = make_pipeline(PixelScaler(), clf).fit(X, y)
    save(pipe, output)
    print(f"Trained {MODELS[args.model].label} on {source}: test accuracy "
          f"{pipe.score(X_test, y_test):.4f}. Saved the pipeline to {output}")
    return EXIT_OK


def _matrix_lines(names, cm):
    """A confusion matrix that fits a terminal: each row named and numbered, the
    columns headed by those numbers (ten classes: under 80 columns)."""
    digits, longest = len(str(len(names) - 1)), max(len(n) for n in names)
    cell = max(len(str(int(cm.max()))), digits) + 1
    lines = [" " * (digits + 1 + longest) + "".join(f"{i:>{cell}}" for i in range(len(names)))]
    for i, (name, row) in enumerate(zip(names, cm)):
        lines.append(f"{i:>{digits}} {name:<{longest}}" + "".join(f"{int(v):>{cell}}"
                                                                  for v in row))
    return lines


def cmd_evaluate(args):
    from sklearn.metrics import confusion_matrix

    from . import load

    if not Path(args.model).is_file():
        raise CommandError(f"No model file at {args.model}; create one with 'skfashion train'.")
    output = _file_output(args.output, suffix=".png") if args.output else None
    try:
        model = load(args.model)
    except ValueError as exc:  # the file is not a valid skfashion file: say so, no trace
        raise CommandError(str(exc)) from exc
    if not hasattr(model, "steps"):  # a classifier saved alone: it takes scaled pixels
        from sklearn.pipeline import make_pipeline

        from ._estimators._pixel_scaler import PixelScaler

        model = make_pipeline(PixelScaler(), model)
    classes = getattr(model[-1], "classes_", None)
    if classes is None:
        raise CommandError(f"{args.model} holds a {type(model[-1]).__name__}, not a "
                           "classifier: 'evaluate' reports a classifier's accuracy.")
    _, _, X_test, y_test, source = _data(args)
    y_test = _test_labels(classes, y_test, args.model)
    y_pred = model.predict(X_test)
    accuracy = float((y_pred == y_test).mean())
    print(f"{type(model[-1]).__name__} from {args.model} on the test images of {source}")
    print(f"accuracy: {accuracy:.4f}\n")
    names = _class_names(classes)
    cm = confusion_matrix(y_test, y_pred, labels=classes)
    print("confusion matrix (rows: true, columns: predicted, numbered as the rows)")
    for line in _matrix_lines(names, cm):
        print(line)
    if output is not None:
        plt = _pyplot()
        from sklearn.metrics import ConfusionMatrixDisplay

        fig, ax = plt.subplots(figsize=(9, 8))
        ConfusionMatrixDisplay(cm, display_labels=names).plot(ax=ax, xticks_rotation=45)
        ax.set_title(f"{type(model[-1]).__name__}: accuracy {accuracy:.4f} on {len(y_test)} "
                     "test images")
        fig.tight_layout()
        fig.savefig(output, dpi=110)
        print(f"\nWrote {output}")
    return EXIT_OK


def _test_labels(classes, y_test, path):
    """The test labels as the model names its classes: 0-9, or Fashion-MNIST's names."""
    from .datasets import CLASS_NAMES

    if all(isinstance(c, (int, np.integer)) for c in classes):
        return y_test
    if all(isinstance(c, str) for c in classes) and set(classes) <= set(CLASS_NAMES):
        return np.asarray(CLASS_NAMES, dtype=object)[y_test]
    raise CommandError(
        f"{path} predicts the classes {list(classes)[:12]}, which are neither Fashion-MNIST's "
        f"labels 0-9 nor its class names {list(CLASS_NAMES)}: it was not trained on "
        "Fashion-MNIST's labels, so its test accuracy cannot be measured here."
    )


def _class_names(classes):
    """Fashion-MNIST's names for the classes 0-9, the labels themselves otherwise."""
    from .datasets import CLASS_NAMES

    if all(isinstance(c, (int, np.integer)) and 0 <= c < len(CLASS_NAMES) for c in classes):
        return [CLASS_NAMES[int(c)] for c in classes]
    return [str(c) for c in classes]


def cmd_export(args):
    from . import export, load
    from ._export._api import _FORMATS, FORMATS, ExportError, _infer_format

    if not Path(args.model).is_file():
        raise CommandError(f"No model file at {args.model}; create one with 'skfashion train'.")
    if args.format is None:
        try:
            _infer_format(args.output)
        except ValueError:  # in the command line's words, before the model is loaded
            raise CommandError(
                f"Cannot tell the export format from {args.output!r}: give --format "
                f"({', '.join(FORMATS)}) or name OUTPUT as "
                f"{', '.join(f.path_hint for f in _FORMATS.values())}.") from None
    try:
        model = load(args.model)
        path = export(model, args.output, format=args.format, input_dtype=args.input_dtype)
    except (ValueError, ExportError) as exc:  # a bad file, path or step: one line, no trace
        raise CommandError(str(exc)) from exc
    if not args.quiet:
        print(f"exported {type(model).__name__} from {args.model} to {path}")
    else:
        print(path)
    return 0


def build_parser():
    """The command line parser (every subcommand's help shows its defaults)."""
    from ._export._api import _FORMATS as EXPORT_FORMATS
    from ._version import __version__
    from .benchmark import DEFAULT_MODELS, MODELS

    # Each command takes only the options it uses (an option that does nothing
    # is refused, not silently accepted).
    data_home = argparse.ArgumentParser(add_help=False)
    data_home.add_argument("--data-home", default=None, type=_existing_dir,
                           help="directory searched first for the four official .gz files")
    sample = argparse.ArgumentParser(add_help=False)
    sample.add_argument("--quick", action="store_true",
                        help="use the embedded 3,000/1,000-image sample (used anyway when "
                             "the full data is not found)")
    seed = argparse.ArgumentParser(add_help=False)
    seed.add_argument("--random-state", type=int, default=0, help="seed")
    quiet = argparse.ArgumentParser(add_help=False)
    quiet.add_argument("-q", "--quiet", action="store_true",
                       help="print only results (and where they were written)")

    def verbosity(quiet_help, verbose_help):
        """-q/-v, each described as what it changes for this command."""
        parent = argparse.ArgumentParser(add_help=False)
        group = parent.add_mutually_exclusive_group()
        group.add_argument("-q", "--quiet", action="store_true", help=quiet_help)
        group.add_argument("-v", "--verbose", action="store_true", help=verbose_help)
        return parent

    backend_lines = "the backend's own start-up log lines (hidden otherwise)"

    parser = argparse.ArgumentParser(
        prog="skfashion", formatter_class=_Formatter,
        description="Keras classifiers as scikit-learn estimators, on Fashion-MNIST.",
        epilog="Exit codes: 0 success, 1 failure (message on stderr), 2 bad command line.",
    )
    parser.add_argument("--version", action="version", version=f"skfashion {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    bench = sub.add_parser(
        "benchmark", formatter_class=_Formatter,
        parents=[data_home, sample, seed, verbosity(
            "print only the table, the comparison and where the report was written (no "
            "progress lines)",
            f"also print a line per epoch of each Keras model, and {backend_lines}")],
        help="compare the Keras models with classical scikit-learn models",
        description="Fit every model through the same Pipeline([PixelScaler(), model]) on "
                    "the training images, score on the test images, print a table (with "
                    "the Fashion-MNIST paper's figures and McNemar's test of the best Keras "
                    "model against the best classical one) and write a report.")
    bench.add_argument("--models", default=",".join(DEFAULT_MODELS),
                       help=f"comma-separated subset of: {', '.join(MODELS)} (svc is optional "
                            "because slow)")
    bench.add_argument("--repeats", type=_int_at_least(1), default=2,
                       help="fits of each seeded model, with seeds random-state, "
                            "random-state + 1, ...; the table shows mean and spread")
    bench.add_argument("--n-jobs", type=_int_at_least(1, also=(-1,)), default=1,
                       help="cores for the models that parallelise (-1: all)")
    bench.add_argument("--output", default="skfashion-report",
                       help="directory for report.md, report.html, pictures, results.json and "
                            "results.csv ('' for the table only)")
    bench.add_argument("--dask", default=os.environ.get("DASK_SCHEDULER_ADDRESS"),
                       metavar="ADDRESS",
                       help="fit the models as tasks on the Dask cluster at ADDRESS "
                            "(default from $DASK_SCHEDULER_ADDRESS)")
    bench.set_defaults(func=cmd_benchmark)

    data = sub.add_parser("data", parents=[data_home], formatter_class=_Formatter,
                          help="where the data is, how to get it",
                          description="List the places searched for Fashion-MNIST and which "
                                      "one is used. Exit code 1 when none has it.")
    data.add_argument("--verify", action="store_true", help="also check the SHA-256 checksums")
    data.set_defaults(func=cmd_data)

    show = sub.add_parser("show", parents=[data_home, sample, seed, quiet],
                          formatter_class=_Formatter,
                          help="save a grid of one image per class",
                          description="Save a PNG with one training image of each class.")
    show.add_argument("--output", default="fashion_mnist_samples.png", help="PNG path")
    show.set_defaults(func=cmd_show)

    train = sub.add_parser("train", formatter_class=_Formatter,
                           parents=[data_home, sample, seed, verbosity(
                               "print only the result line (no line per epoch)",
                               f"also print {backend_lines}; the line per epoch prints "
                               "without -v")],
                           help="fit a model and save its pipeline safely",
                           description="Fit Pipeline([PixelScaler(), model]) for a Keras "
                                       "model of the benchmark and save the pipeline in "
                                       "skfashion's pickle-free format.")
    train.add_argument("--model", default="softmax", choices=[n for n, s in MODELS.items()
                                                              if s.keras],
                       help="which Keras model")
    train.add_argument("--epochs", type=_int_at_least(1), default=None,
                       help="override the model's epochs")
    train.add_argument("--output", default="skfashion-model.skf", help="file to write")
    train.set_defaults(func=cmd_train)

    evaluate = sub.add_parser("evaluate", formatter_class=_Formatter, parents=[
        data_home, sample, verbosity(
            "print only the results (not the note that the embedded sample stands in "
            "for missing full data)", f"also print {backend_lines}")],
                              help="load a saved model and report its test accuracy",
                              description="Load a pipeline saved by 'skfashion train' (safe "
                                          "for untrusted files) and print its test accuracy "
                                          "and confusion matrix.")
    evaluate.add_argument("model", help="file written by 'skfashion train'")
    evaluate.add_argument("--output", default=None, help="also save the confusion matrix PNG")
    evaluate.set_defaults(func=cmd_evaluate)

    export = sub.add_parser(
        "export", formatter_class=_Formatter,
        help="write a saved model as a Keras, SavedModel or ONNX file for serving",
        description="Load a pipeline saved by 'skfashion train' or skfashion.save and write "
                    "it as one model that serves without skfashion or scikit-learn (the "
                    "pipeline's scalers become Keras layers): a .keras file, a TensorFlow "
                    "SavedModel directory or an .onnx file. See skfashion.export.")
    export.add_argument("model", help="file written by 'skfashion train' or skfashion.save")
    export.add_argument("output", help="the file (or directory) to write: " + "; ".join(
        f"{f.path_hint} for {f.name}" for f in EXPORT_FORMATS.values()))
    export.add_argument("--format", choices=list(EXPORT_FORMATS), default=None,
                        help="default: from OUTPUT's name (" + "; ".join(
                            f"{f.name}: served by {f.served_by}"
                            for f in EXPORT_FORMATS.values()) + ")")
    export.add_argument("--input-dtype", default=None, type=_numeric_dtype,
                        help="dtype of the served input (default: what the pipeline was "
                             "fitted on, e.g. uint8 images)")
    export.add_argument("-q", "--quiet", action="store_true", help="print only the path")
    export.set_defaults(func=cmd_export, verbose=False)
    return parser


def main(argv=None):
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        if args.command in ("benchmark", "train", "evaluate", "export"):
            from ._support._backend import import_keras

            if args.verbose:
                import_keras()
            else:
                from ._support._quiet import load_backend_quietly

                load_backend_quietly()
        return args.func(args)
    except (CommandError, OSError, ImportError) as exc:
        print(f"skfashion: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
