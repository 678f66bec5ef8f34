import numpy as np
import pytest

from valuelearn.exceptions import ValueLearnInputError
from valuelearn.representation._value_regression import gp_values, rbf_kernel, ridge_values


def _problem(seed=0, n=60, d=5):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    y = x @ rng.normal(size=d) + 0.3 * rng.normal(size=n) + 2.0
    return x, y, rng.uniform(0.5, 3.0, size=n)


def test_ridge_solves_the_augmented_least_squares_problem():
    x, y, w = _problem()
    alpha = 2.5
    weights, intercept = ridge_values(x, y, alpha=alpha, sample_weight=w)
    # sqrt(w)-scaled rows plus sqrt(alpha) I rows (intercept unpenalised)
    design = np.column_stack([np.ones(x.shape[0]), x]) * np.sqrt(w)[:, None]
    penalty = np.column_stack([np.zeros(x.shape[1]), np.sqrt(alpha) * np.eye(x.shape[1])])
    solution = np.linalg.lstsq(
        np.vstack([design, penalty]), np.r_[np.sqrt(w) * y, np.zeros(x.shape[1])], rcond=None
    )[0]
    assert intercept == pytest.approx(solution[0], abs=1e-10)
    np.testing.assert_allclose(weights, solution[1:], atol=1e-10)


def test_ridge_matches_scikit_learn():
    sklearn_linear = pytest.importorskip("sklearn.linear_model")
    x, y, w = _problem(1)
    weights, intercept = ridge_values(x, y, alpha=0.7, sample_weight=w)
    peer = sklearn_linear.Ridge(alpha=0.7).fit(x, y, sample_weight=w)
    np.testing.assert_allclose(weights, peer.coef_, atol=1e-10)
    assert intercept == pytest.approx(peer.intercept_, abs=1e-10)


def test_ridge_weights_by_count_equal_fitting_repeated_rows():
    x, y, _ = _problem(2, n=20)
    counts = np.arange(1, 21)
    weighted = ridge_values(x, y, alpha=1.0, sample_weight=counts.astype(float))
    repeated = ridge_values(np.repeat(x, counts, axis=0), np.repeat(y, counts), alpha=1.0)
    np.testing.assert_allclose(weighted[0], repeated[0], atol=1e-10)
    assert weighted[1] == pytest.approx(repeated[1], abs=1e-10)


def test_gp_matches_scikit_learn_mean_and_std():
    gp_module = pytest.importorskip("sklearn.gaussian_process")
    kernels = pytest.importorskip("sklearn.gaussian_process.kernels")
    x, y, _ = _problem(3, n=40, d=3)
    query = np.random.default_rng(9).normal(size=(7, 3))
    gp = gp_values(x, y, length_scale=1.3, noise=0.2)
    variance = float(np.var(y))
    kernel = kernels.ConstantKernel(variance, "fixed") * kernels.RBF(1.3, "fixed")
    peer = gp_module.GaussianProcessRegressor(
        kernel, alpha=0.2 * variance, optimizer=None, normalize_y=False
    ).fit(x, y - y.mean())
    mean, std = peer.predict(query, return_std=True)
    np.testing.assert_allclose(gp.predict(query), mean + y.mean(), atol=1e-9)
    np.testing.assert_allclose(gp.predict_std(query), std, atol=1e-7)


def test_gp_interpolates_and_reverts_to_the_mean_far_away():
    x = np.array([[0.0], [1.0], [2.0]])
    gp = gp_values(x, [1.0, 4.0, -2.0], length_scale=0.3, noise=1e-9)
    np.testing.assert_allclose(gp.predict(x), [1.0, 4.0, -2.0], atol=1e-6)
    assert gp.predict([[50.0]])[0] == pytest.approx(1.0)
    assert gp.predict_std([[50.0]])[0] == pytest.approx(np.sqrt(np.var([1.0, 4.0, -2.0])))
    assert rbf_kernel([[0.0]], [[1.0]], length_scale=1.0)[0, 0] == pytest.approx(np.exp(-0.5))


def test_errors():
    with pytest.raises(ValueLearnInputError, match="'alpha' parameter of ridge_values"):
        ridge_values([[1.0]], [1.0], alpha=0.0)
    with pytest.raises(ValueLearnInputError, match="`values` must hold 2 finite numbers"):
        ridge_values([[1.0], [2.0]], [1.0], alpha=1.0)
    with pytest.raises(ValueLearnInputError, match="`embeddings` must be a finite 2-d array"):
        ridge_values([1.0, 2.0], [1.0, 2.0], alpha=1.0)
    with pytest.raises(ValueLearnInputError, match="`sample_weight`"):
        ridge_values([[1.0], [2.0]], [1.0, 2.0], alpha=1.0, sample_weight=[1.0, -1.0])
    with pytest.raises(ValueLearnInputError, match="'noise' parameter of gp_values"):
        gp_values([[1.0]], [1.0], length_scale=1.0, noise=0.0)
    gp = gp_values([[1.0, 0.0]], [1.0], length_scale=1.0, noise=0.1)
    with pytest.raises(ValueLearnInputError, match="must have 2 columns"):
        gp.predict([[1.0]])
