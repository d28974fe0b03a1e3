import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.pipeline import make_pipeline

from skfashion import PixelScaler


@pytest.fixture(scope="module")
def images(sample):
    return sample[0][0][:50]


def test_matches_the_tutorial_bit_for_bit(images):
    out = PixelScaler().fit_transform(images)
    tutorial = (images.reshape(-1, 28 * 28) / 255.0).astype(np.float32)
    assert out.dtype == np.float32 and out.shape == (50, 784)
    np.testing.assert_array_equal(out, tutorial)


@pytest.mark.parametrize("shape", [(50, 28, 28), (50, 28, 28, 1), (50, 784)])
@pytest.mark.parametrize("dtype", [np.uint8, np.int64, np.float32, np.float64, np.uint16])
def test_accepted_shapes_and_dtypes(images, shape, dtype):
    out = PixelScaler().transform(images.reshape(shape).astype(dtype))
    np.testing.assert_array_equal(out, PixelScaler().transform(images))
    assert out.min() >= 0 and out.max() <= 1


def test_stateless_transform_records_nothing(images):
    scaler = PixelScaler()
    scaler.transform(images)
    assert not hasattr(scaler, "n_features_in_")
    assert scaler.fit(images).n_features_in_ == 784


def test_output_is_aligned_for_zero_copy(images):
    out = PixelScaler().transform(images)
    assert out.ctypes.data % 64 == 0 and out.flags.c_contiguous


def test_feature_names_and_pandas_output(images):
    pd = pytest.importorskip("pandas")
    scaler = PixelScaler().fit(images)
    names = scaler.get_feature_names_out()
    assert names[0] == "pixel_0_0" and names[29] == "pixel_1_1" and len(names) == 784
    frame = PixelScaler().set_output(transform="pandas").fit_transform(images)
    assert isinstance(frame, pd.DataFrame) and list(frame.columns) == list(names)
    df = pd.DataFrame(images.reshape(50, -1), columns=[f"c{i}" for i in range(784)])
    assert PixelScaler().fit(df).get_feature_names_out()[3] == "c3"


def test_sparse_in_sparse_out(images):
    X = sp.csr_matrix(images.reshape(50, -1))
    out = PixelScaler().fit_transform(X)
    assert sp.issparse(out) and out.dtype == np.float32
    np.testing.assert_array_equal(out.toarray(), PixelScaler().transform(images))


def test_any_image_size_with_image_shape_none():
    out = PixelScaler(image_shape=None).fit_transform(np.full((2, 5, 3), 255, np.uint8))
    assert out.shape == (2, 15) and (out == 1).all()


@pytest.mark.parametrize(
    "X, match",
    [
        (np.full((2, 784), np.nan), "NaN"),
        (np.full((2, 784), np.inf), "infinity"),
        (np.full((2, 784), -1.0), "Negative values in data passed to PixelScaler"),
        (np.full((2, 784), 256.0), "up to 256.0; they must be between 0 and 255"),
        (np.ones((2, 784), dtype=bool), "boolean data"),
        (np.ones((2, 784), dtype=complex), "Complex data not supported"),
        (np.full((2, 784), "a"), "PixelScaler got strings"),
        (np.full((2, 784), "12"), "PixelScaler got strings"),
        (np.zeros((0, 28, 28), np.uint8), "0 sample"),
        (np.zeros((2, 32, 32)), r"images of shape \(32, 32\), expected \(28, 28\)"),
        (np.zeros((2, 28, 28, 3)), r"shape \(2, 28, 28, 3\).*Colour images"),
        (np.zeros((2, 100)), "got 100 features per sample, expected 784"),
        (np.zeros(784), "Reshape your data"),
        (np.zeros((0, 784)), "0 sample"),
        ([[0] * 784, [0] * 10], "ragged"),
    ],
)
def test_bad_input_is_a_clear_error(X, match):
    with pytest.raises(ValueError, match=match):
        PixelScaler().fit_transform(X)


def test_bad_image_shape_parameter():
    with pytest.raises(ValueError, match="pair of positive integers"):
        PixelScaler(image_shape=(28, -1)).fit(np.zeros((1, 784)))


def test_transform_checks_features_after_fit(images):
    scaler = PixelScaler(image_shape=None).fit(np.zeros((2, 10)))
    with pytest.raises(ValueError, match="X has 12 features, but PixelScaler is expecting 10"):
        scaler.transform(np.zeros((2, 12)))


def test_in_a_pipeline_before_a_classical_model(sample):
    from sklearn.linear_model import LogisticRegression

    (X, y), (X_test, y_test) = sample
    pipe = make_pipeline(PixelScaler(), LogisticRegression(max_iter=50)).fit(X[:500], y[:500])
    assert pipe.score(X_test, y_test) > 0.6


# ---------------------------------------------------------------- issue 30, item 14
def test_float_pixels_already_scaled_warn(sample):
    """The Keras tutorial's ``x / 255.0`` then PixelScaler: warned, with what to do."""
    from skfashion._estimators._pixel_scaler import AlreadyScaledWarning

    (X, _), _ = sample
    scaled = X[:50] / 255.0
    for call in (PixelScaler().fit, PixelScaler().transform, PixelScaler().fit_transform):
        with pytest.warns(AlreadyScaledWarning, match="scaled to \\[0, 1\\] already"):
            call(scaled)


def test_already_scaled_pixels_warn_once_for_a_fit_and_its_scores(sample):
    """A pipeline's fit and score used to print the warning three times (fit,
    the fit's transform, score's transform): one fit, one warning."""
    import warnings

    from sklearn.linear_model import LogisticRegression

    from skfashion._estimators._pixel_scaler import AlreadyScaledWarning

    (X, y), _ = sample
    scaled = X[:60] / 255.0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pipe = make_pipeline(PixelScaler(), LogisticRegression(max_iter=5)).fit(scaled, y[:60])
        pipe.score(scaled, y[:60])
        pipe.predict(scaled[:5])
    assert [w.category for w in caught].count(AlreadyScaledWarning) == 1
    # a new fit on unscaled images, then scaled ones to transform: warned again
    scaler = PixelScaler().fit(X[:10])
    with pytest.warns(AlreadyScaledWarning):
        scaler.transform(scaled)


@pytest.mark.parametrize("X", [
    np.full((2, 28, 28), 1, np.uint8),                # integers: counts, not fractions
    np.full((2, 28, 28), 200.0),                      # 0-255 floats
    np.zeros((2, 28, 28), np.float32),                # all black: nothing to tell
], ids=["uint8 ones", "0-255 floats", "all zero"])
def test_pixels_not_scaled_do_not_warn(X):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        PixelScaler().fit_transform(X)


def test_fit_records_the_input_it_takes_and_save_keeps_it(sample, tmp_path):
    from skfashion import load, save

    (X, _), _ = sample
    for X_in, shape in ((X[:5], (28, 28)), (X[:5, ..., None], (28, 28, 1)),
                        (X[:5].reshape(5, -1).astype(np.float64), (784,))):
        scaler = PixelScaler(image_shape=None).fit(X_in)
        assert (scaler.input_shape_, scaler.input_dtype_) == (shape, X_in.dtype.name)
        save(scaler, tmp_path / "s.skf")
        loaded = load(tmp_path / "s.skf")
        assert (loaded.input_shape_, loaded.input_dtype_) == (shape, X_in.dtype.name)
