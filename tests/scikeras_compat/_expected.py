"""Where the ported suite's outcome is decided beforehand, each with its reason.

Applied by ``conftest.py`` (``xfail(strict=True)``: the test must fail, and the
run fails if it starts passing; ``skip``: a test whose outcome is chance).
Every entry also failed against scikeras 0.13.0 itself on this project's
scikit-learn and Keras versions (``benchmarks/bench_scikeras_suite.py`` runs the
suite against both); none is a difference skfashion chose.
"""

_SGD = (
    "Mini-batch SGD: weighting a sample is not repeating it (scikit-learn expects the "
    "same failure of SGDClassifier and Perceptron); fails against scikeras too."
)

XFAIL = {
    # The test's assertion calls isinstance(obj, "BinaryCrossentropy") -- a string,
    # which raises TypeError before comparing anything. (skfashion does apply
    # loss__name to a loss given by name; scikeras fails earlier on it.)
    "test_compile_kwargs.py::test_loss[1-BinaryCrossentropy1]":
        "the test calls isinstance() with a string as the class",
    "test_compile_kwargs.py::test_loss[2-BinaryCrossentropy1]":
        "the test calls isinstance() with a string as the class",
    "test_compile_kwargs.py::test_loss_routed_params_dict[2-BinaryCrossentropy0]":
        "Keras 3.15 requires a loss for every output of a loss dict",
    "test_compile_kwargs.py::test_loss_routed_params_dict[2-BinaryCrossentropy1]":
        "Keras 3.15 requires a loss for every output of a loss dict",
    "test_scikit_learn_checks.py::test_fully_compliant_estimators_low_precision"
    "[MultiOutputClassifier-check_sample_weight_equivalence_on_dense_data]": _SGD,
    "test_scikit_learn_checks.py::test_fully_compliant_estimators_low_precision"
    "[MultiOutputClassifier-check_sample_weight_equivalence_on_sparse_data]": _SGD,
    "test_scikit_learn_checks.py::test_fully_compliant_estimators_low_precision"
    "[KerasRegressor-check_regressor_multioutput]":
        "Keras computes in float32 and the regressor returns that precision (the suite's "
        "own test_output_shapes_and_dtypes_against_sklearn_reg requires float32); "
        "scikeras declares the same expected failure",
    # One full-batch step: weighting and repeating agree mathematically, but not in
    # float32: the weighted loss sums 2*l_i where the repeated one sums l_i + l_i in
    # another order, and the fitted coefficients differ by ~4e-8 against the
    # check's rtol of 1e-7. Under the suite's seed (conftest) the outcome is the same
    # every run. scikeras fails it too (the same arithmetic).
    "test_scikit_learn_checks.py::test_fully_compliant_estimators_low_precision"
    "[KerasRegressor-check_sample_weight_equivalence_on_dense_data]":
        "float32 round-off: weighting a sample by 2 and repeating it differ by ~4e-8 "
        "against the check's rtol of 1e-7 (seeded, every run); fails for scikeras too",
    "test_scikit_learn_checks.py::test_fully_compliant_estimators_low_precision"
    "[KerasRegressor-check_sample_weight_equivalence_on_sparse_data]":
        "float32 round-off, as for dense data (seeded, every run); fails for scikeras too",
}

SKIP = {
    # Unseeded: AdaBoost's first base classifier, trained one epoch from random
    # weights on two iris classes, is worse than random about half the time, and
    # AdaBoost then raises. Fails against scikeras too, by chance.
    "test_api.py::TestAdvancedAPIFuncs::test_ensemble[MLPClassifier]":
        "outcome is chance (unseeded one-epoch fit under AdaBoost); fails for scikeras too",
    "test_api.py::TestPrebuiltModel::test_ensemble[MLPClassifier]":
        "outcome is chance (unseeded one-epoch fit under AdaBoost); fails for scikeras too",
}
