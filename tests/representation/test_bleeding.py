import numpy as np
import pytest

from valuelearn.exceptions import ValueLearnInputError
from valuelearn.representation import TextValueModel
from valuelearn.representation._bleeding import (
    bleeding_curve,
    ridge_bleeding_kernel,
    valence_bleeding,
)


def _clustered(seed=0, n_clusters=8, per_cluster=25, d=40, spread=0.35):
    """Concepts in semantic clusters (unit vectors around cluster centres) with cluster values."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(n_clusters, d))
    x = np.repeat(centres, per_cluster, axis=0) + spread * rng.normal(
        size=(n_clusters * per_cluster, d)
    )
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    values = np.repeat(rng.normal(size=n_clusters), per_cluster) + 0.1 * rng.normal(size=x.shape[0])
    return x, values, np.repeat(np.arange(n_clusters), per_cluster)


@pytest.mark.parametrize("weight", [1.0, 5.0])
def test_ridge_bleeding_equals_the_sherman_morrison_update(weight):
    x, values, _ = _clustered()
    train = np.ones(x.shape[0], dtype=bool)
    train[::7] = False
    anchor = 7
    model = TextValueModel(alpha=0.3)
    bleeding = valence_bleeding(
        x, values, train, anchor=anchor, judgment=4.0, model=model, weight=weight
    )
    kernel = ridge_bleeding_kernel(x, x[train], x[anchor], alpha=0.3)
    residual = 4.0 - bleeding.before[anchor]
    expected = weight * residual * kernel / (1 + weight * kernel[anchor])
    np.testing.assert_allclose(bleeding.change, expected, atol=1e-10)
    assert bleeding.relative[anchor] == 1.0 and bleeding.similarity[anchor] == pytest.approx(1.0)


def test_bleeding_follows_semantic_clusters_and_vanishes_without_structure():
    x, values, cluster = _clustered(seed=1)
    rng = np.random.default_rng(2)
    shuffled = rng.normal(size=x.shape)  # same concepts, no structure
    shuffled /= np.linalg.norm(shuffled, axis=1, keepdims=True)
    train = np.arange(x.shape[0]) % 5 != 0
    anchor = 0
    semantic = valence_bleeding(
        x, values, train, anchor=anchor, judgment=5.0, model=TextValueModel(alpha=1.0)
    )
    random = valence_bleeding(
        shuffled, values, train, anchor=anchor, judgment=5.0, model=TextValueModel(alpha=1.0)
    )
    same = (cluster == cluster[anchor]) & (np.arange(x.shape[0]) != anchor)
    assert semantic.relative[same].mean() > 0.3
    assert abs(semantic.relative[~same & (np.arange(x.shape[0]) != anchor)].mean()) < 0.1
    assert abs(random.relative[same].mean()) < 0.1
    assert semantic.nearest_share(10) > 2 * random.nearest_share(10)  # 0.53 against 0.24
    assert semantic.reach(0.1) > random.reach(0.1)
    # the curve rises with similarity for the semantic embedding
    centres, mean_relative, counts = bleeding_curve(
        np.delete(semantic.similarity, anchor), np.delete(semantic.relative, anchor)
    )
    assert counts.sum() == x.shape[0] - 1
    assert np.corrcoef(centres, mean_relative)[0, 1] > 0.8


def test_gp_bleeding_far_from_data_is_the_prior_kernel():
    # training concepts far away: the change is the prior mean's shift m' (the mean of the
    # values, now with A's judgment) plus k(x, A) (1 - m') / (1 + noise)
    x = np.r_[np.linspace(0, 1.5, 16), np.linspace(20, 22, 5)][:, None]
    values = np.zeros(x.shape[0])
    bleeding = valence_bleeding(
        x, values, np.arange(16, 21), anchor=0, judgment=1.0,
        model=TextValueModel(method="gp", length_scale=0.5, noise=0.1),
    )  # fmt: skip
    shift = 1.0 / 6.0
    change = shift + np.exp(-(x[:16, 0] ** 2) / 0.5) * (1 - shift) / 1.1
    np.testing.assert_allclose(bleeding.change[:16], change, atol=1e-9)


def test_bleeding_curve_bins():
    centres, means, counts = bleeding_curve(
        [-0.9, 0.1, 0.2, 0.95, 1.0], [0.0, 0.1, 0.3, 0.8, 1.0], edges=[-1.0, 0.0, 0.5, 1.0]
    )
    np.testing.assert_allclose(centres, [-0.9, 0.15, 0.975])
    np.testing.assert_allclose(means, [0.0, 0.2, 0.9])
    assert counts.tolist() == [1, 2, 2]


def test_errors():
    x = np.eye(3)
    with pytest.raises(ValueLearnInputError, match="must not be among the `train` rows"):
        valence_bleeding(x, np.zeros(3), [0, 1], anchor=0, judgment=1.0)
    with pytest.raises(ValueLearnInputError, match="'anchor' parameter of valence_bleeding"):
        valence_bleeding(x, np.zeros(3), [0, 1], anchor=5, judgment=1.0)
    with pytest.raises(ValueLearnInputError, match="one value per embedding row"):
        valence_bleeding(x, np.zeros(2), [0, 1], anchor=2, judgment=1.0)
    with pytest.raises(ValueLearnInputError, match="needs method='ridge'"):
        valence_bleeding(
            x, np.zeros(3), [0, 1], anchor=2, judgment=1.0,
            model=TextValueModel(method="gp"), weight=2.0,
        )  # fmt: skip
    with pytest.raises(ValueLearnInputError, match="equally long"):
        bleeding_curve([0.1], [0.1, 0.2])
