"""The ``skfashion`` command (also ``python -m skfashion``).

Exit codes: 0 success; 1 the command failed (missing data or model file, bad
model name, missing optional dependency), with a message on stderr; 2 the command
line itself was wrong (argparse).
"""

import argparse
import os
import sys
import warnings
from pathlib import Path

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


class CommandError(Exception):
    """A failure to report as 'skfashion: error: ...' with exit code 1."""


def _say(args, text):
    if not args.quiet:
        print(text, file=sys.stderr, flush=True)


def _load(args):
    """Train and test data: the full data when found, else the embedded sample."""
    from .datasets import find_data_dir, load_fashion_mnist, load_sample

    if not args.quick:
        directory = find_data_dir(args.data_home)
        if directory is not None:
            (X, y), (X_test, y_test) = load_fashion_mnist(data_home=args.data_home,
                                                          download_if_missing=False)
            return X, y, X_test, y_test, f"Fashion-MNIST from {directory} (60,000 train, 10,000 test)"
        _say(args, "Full Fashion-MNIST not found (see 'skfashion data'): using the embedded "
                   "sample instead.")
    (X, y), (X_test, y_test) = load_sample()
    return X, y, X_test, y_test, "the embedded sample of Fashion-MNIST (3,000 train, 1,000 test)"


def _matplotlib_agg():
    try:
        import matplotlib
    except ImportError as exc:
        raise CommandError(
            "this command draws pictures and needs matplotlib: pip install 'skfashion[plotting]'"
        ) from exc
    matplotlib.use("Agg")  # files only; this process has no screen


# ------------------------------------------------------------------ commands
def cmd_benchmark(args):
    from ._benchmark import MODELS, format_table, resolve_models, run_benchmark
    from ._progress import Progress
    from ._report import machine_summary, write_report

    try:
        names = resolve_models(args.models.split(",") if args.models else None)
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    from sklearn.exceptions import ConvergenceWarning

    # The classical models run with fixed iteration budgets (LogisticRegression:
    # 100 lbfgs iterations, as is usual in this comparison); the table shows what
    # that budget reaches, so their convergence warnings are noise here.
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    level = 0 if args.quiet else (2 if args.verbose else 1)
    progress = Progress(len(names) + 2, level=level)
    progress.start("load data")
    X, y, X_test, y_test, source = _load(args)
    progress.done(f"loaded {source}")
    for name in set(MODELS) - set(names):
        if MODELS[name].note:
            _say(args, f"Not run: {MODELS[name].label} ({MODELS[name].note}).")
    if args.dask:
        with _dask_context(args.dask):
            results = run_benchmark(X, y, X_test, y_test, models=names, n_jobs=args.n_jobs,
                                    random_state=args.random_state, progress=progress,
                                    distributed=True)
    else:
        results = run_benchmark(X, y, X_test, y_test, models=names, n_jobs=args.n_jobs,
                                random_state=args.random_state, progress=progress)
    progress.start("write report")
    report = None
    if args.output:
        try:
            _matplotlib_agg()
        except CommandError as exc:
            _say(args, f"No pictures: {exc}")
        report = write_report(results, args.output, X_test=X_test, y_test=y_test,
                              data_source=source,
                              context={"random_state": args.random_state, "n_jobs": args.n_jobs})
    progress.done(f"report written to {report}" if report else "no --output: table only")
    print(f"\nData: {source}\nMachine: {machine_summary()}\n")
    print(format_table(results))
    return EXIT_OK


def _dask_context(address):
    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise CommandError(
            "--dask needs Dask's distributed scheduler: pip install 'skfashion[dask]'"
        ) from exc
    from contextlib import contextmanager

    from ._dask import dask_backend

    @contextmanager
    def connected():
        with Client(address) as client, dask_backend(client):
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
    _matplotlib_agg()
    from .plotting import SampleGridDisplay

    X, y, _, _, source = _load(args)
    disp = SampleGridDisplay.from_dataset(X, y, random_state=args.random_state)
    disp.figure_.suptitle("Fashion-MNIST: one image per class")
    disp.figure_.tight_layout()
    disp.figure_.savefig(args.output, dpi=110)
    print(f"Wrote {args.output} (from {source})")
    return EXIT_OK


def cmd_train(args):
    from sklearn.pipeline import make_pipeline

    from ._benchmark import MODELS
    from ._pixel import PixelScaler

    if args.model not in ("softmax", "mlp"):
        raise CommandError(f"--model must be 'softmax' or 'mlp'; got {args.model!r}.")
    X, y, X_test, y_test, source = _load(args)
    clf = MODELS[args.model].make(args.random_state, 1)
    if args.epochs is not None:
        clf.set_params(epochs=args.epochs)
    clf.set_params(verbose=0 if args.quiet else 2)
    pipe = make_pipeline(PixelScaler(), clf).fit(X, y)
    clf.save(args.output)
    print(f"Trained {type(clf).__name__} on {source}: test accuracy "
          f"{pipe.score(X_test, y_test):.4f}. Saved to {args.output}")
    return EXIT_OK


def cmd_evaluate(args):
    from sklearn.metrics import confusion_matrix

    from . import load
    from ._pixel import PixelScaler
    from .datasets import CLASS_NAMES

    if not Path(args.model).is_file():
        raise CommandError(f"No model file at {args.model}; create one with 'skfashion train'.")
    clf = load(args.model)
    _, _, X_test, y_test, source = _load(args)
    y_pred = clf.predict(PixelScaler().transform(X_test))
    accuracy = float((y_pred == y_test).mean())
    print(f"{type(clf).__name__} from {args.model} on the test images of {source}")
    print(f"accuracy: {accuracy:.4f}\n")
    cm = confusion_matrix(y_test, y_pred, labels=clf.classes_)
    names = [CLASS_NAMES[int(c)][:8] for c in clf.classes_]
    print("confusion matrix (rows: true, columns: predicted)")
    print(" " * 10 + " ".join(f"{n:>8}" for n in names))
    for name, row in zip(names, cm):
        print(f"{name:>10}" + " ".join(f"{v:>8d}" for v in row))
    if args.output:
        _matplotlib_agg()
        from sklearn.metrics import ConfusionMatrixDisplay

        disp = ConfusionMatrixDisplay(cm, display_labels=names).plot(xticks_rotation=45)
        disp.figure_.tight_layout()
        disp.figure_.savefig(args.output, dpi=110)
        print(f"\nWrote {args.output}")
    return EXIT_OK


# ------------------------------------------------------------------- parser
def build_parser():
    from ._benchmark import DEFAULT_MODELS, MODELS

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-home", default=None,
                        help="directory searched first for the four official .gz files")
    common.add_argument("--quick", action="store_true",
                        help="use the embedded 3,000/1,000-image sample (the default when "
                             "the full data is not found)")
    common.add_argument("--random-state", type=int, default=0, help="seed (default 0)")
    verbosity = common.add_mutually_exclusive_group()
    verbosity.add_argument("-q", "--quiet", action="store_true", help="print only results")
    verbosity.add_argument("-v", "--verbose", action="store_true",
                           help="also print every epoch of the Keras models")

    parser = argparse.ArgumentParser(
        prog="skfashion",
        description="Keras classifiers as scikit-learn estimators, on Fashion-MNIST.",
        epilog="Exit codes: 0 success, 1 failure (message on stderr), 2 bad command line.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    bench = sub.add_parser(
        "benchmark", parents=[common],
        help="compare the Keras models with classical scikit-learn models",
        description="Fit every model through the same Pipeline([PixelScaler(), model]) on "
                    "the training images, score on the 10,000 test images, print a table "
                    "(with the Fashion-MNIST paper's figures) and write a report.")
    bench.add_argument("--models", default=None,
                       help=f"comma-separated subset of {','.join(MODELS)} (default: "
                            f"{','.join(DEFAULT_MODELS)}; svc is optional because slow)")
    bench.add_argument("--n-jobs", type=int, default=1,
                       help="cores for the models that parallelise (default 1)")
    bench.add_argument("--output", default="skfashion-report",
                       help="directory for report.md, pictures, results.json and results.csv "
                            "(default: skfashion-report; '' for none)")
    bench.add_argument("--dask", default=os.environ.get("DASK_SCHEDULER_ADDRESS"),
                       metavar="ADDRESS",
                       help="fit the models as tasks on the Dask cluster at ADDRESS "
                            "(default: $DASK_SCHEDULER_ADDRESS)")
    bench.set_defaults(func=cmd_benchmark)

    data = sub.add_parser("data", parents=[common], help="where the data is, how to get it",
                          description="List the places searched for Fashion-MNIST and which "
                                      "one is used. Exit code 1 when none has it.")
    data.add_argument("--verify", action="store_true", help="also check the SHA-256 checksums")
    data.set_defaults(func=cmd_data)

    show = sub.add_parser("show", parents=[common], help="save a grid of one image per class",
                          description="Save a PNG with one training image of each class.")
    show.add_argument("--output", default="fashion_mnist_samples.png", help="PNG path")
    show.set_defaults(func=cmd_show)

    train = sub.add_parser("train", parents=[common], help="fit a model and save it safely",
                           description="Fit the tutorial model (softmax) or the MLP of the "
                                       "benchmark and save it in skfashion's pickle-free "
                                       "format.")
    train.add_argument("--model", default="softmax", help="softmax (default) or mlp")
    train.add_argument("--epochs", type=int, default=None, help="override the epochs")
    train.add_argument("--output", default="skfashion-model.skf", help="model file to write")
    train.set_defaults(func=cmd_train)

    evaluate = sub.add_parser("evaluate", parents=[common],
                              help="load a saved model and report its test accuracy",
                              description="Load a model saved by 'skfashion train' (safe for "
                                          "untrusted files) and print its test accuracy and "
                                          "confusion matrix.")
    evaluate.add_argument("model", help="model file written by 'skfashion train'")
    evaluate.add_argument("--output", default=None, help="also save the confusion matrix PNG")
    evaluate.set_defaults(func=cmd_evaluate)
    return parser


def main(argv=None):
    """Run the command line; returns the exit code."""
    args = build_parser().parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # this process only: quieter logs
    try:
        return args.func(args)
    except (CommandError, OSError, ValueError, ImportError) as exc:
        print(f"skfashion: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
