import numpy as np
import pytest
from scipy.optimize import approx_fprime
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern

from skhpo.surrogates import GaussianProcess, _gp
from skhpo.utils._threads import single_blas_thread


@pytest.fixture(autouse=True)
def _one_blas_thread():
    # as in the acquisition optimiser: threaded BLAS on these small matrices
    # is many times slower, especially on a busy machine
    with single_blas_thread():
        yield


def _data(n=30, d=2, seed=0, noise=0.0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, d))
    y = np.sin(6 * X[:, 0]) + 0.5 * X[:, 1] ** 2 + noise * rng.standard_normal(n)
    return X, y


def _sklearn_oracle(gp):
    """sklearn's GP with the same fixed hyperparameters (noise as alpha)."""
    theta = gp.theta_
    kernel = ConstantKernel(np.exp(theta[0]), "fixed") * Matern(
        length_scale=np.exp(theta[1:-1]), nu=2.5, length_scale_bounds="fixed"
    )
    ref = GaussianProcessRegressor(
        kernel, alpha=np.exp(theta[-1]) + _gp._JITTER, optimizer=None, normalize_y=True
    )
    return ref.fit(gp.X_train_, gp.y_train_)


def test_interpolates_noiseless_data_and_std_grows_away_from_it():
    X = np.linspace(0, 0.6, 12)[:, None]
    y = np.sin(6 * X[:, 0])
    gp = GaussianProcess(random_state=0).fit(X, y)
    mean, std = gp.predict(X)
    assert np.allclose(mean, y, atol=1e-3)
    assert np.all(std < 0.01)
    _, std_far = gp.predict(np.array([[0.95], [1.0]]))
    assert np.all(std_far > 10 * std.max())
    assert std_far[1] > std_far[0]  # further away, more uncertain
    # between training points the prediction stays accurate
    X_mid = (X[:-1] + X[1:]) / 2
    assert np.allclose(
        gp.predict(X_mid, return_std=False), np.sin(6 * X_mid[:, 0]), atol=0.01
    )


def test_predictions_and_lml_match_sklearn_with_fixed_hyperparameters():
    X, y = _data(n=25, d=3, noise=0.1)
    gp = GaussianProcess(random_state=0).fit(X, 3.0 + 2.0 * y)
    ref = _sklearn_oracle(gp)
    X_test = np.random.default_rng(1).random((50, 3))
    mean, std = gp.predict(X_test)
    ref_mean, ref_std = ref.predict(X_test, return_std=True)
    assert np.allclose(mean, ref_mean, rtol=1e-6, atol=1e-8)
    assert np.allclose(std, ref_std, rtol=1e-5, atol=1e-8)
    assert gp.log_marginal_likelihood_value_ == pytest.approx(
        ref.log_marginal_likelihood_value_, rel=1e-8
    )
    # the gradient w.r.t. log amplitude and log length scales matches sklearn's
    ref_free = GaussianProcessRegressor(
        ConstantKernel(np.exp(gp.theta_[0]))
        * Matern(length_scale=np.exp(gp.theta_[1:-1]), nu=2.5),
        alpha=np.exp(gp.theta_[-1]) + _gp._JITTER,
        optimizer=None,
        normalize_y=True,
    ).fit(gp.X_train_, gp.y_train_)
    ref_lml, ref_grad = ref_free.log_marginal_likelihood(
        ref_free.kernel_.theta, eval_gradient=True
    )
    lml, grad = gp.log_marginal_likelihood(eval_gradient=True)
    assert lml == pytest.approx(ref_lml, rel=1e-8)
    assert np.allclose(grad[:-1], ref_grad, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cache", [True, False])
def test_lml_gradient_matches_finite_differences(cache, monkeypatch):
    if not cache:  # the feature-by-feature path used for large n * n * d
        monkeypatch.setattr(_gp, "_MAX_CACHE", 0)
    X, y = _data(n=20, d=3, noise=0.05)
    X = np.vstack([X, X[:2]])  # duplicated rows
    y = np.concatenate([y, y[:2] + 0.01])
    gp = GaussianProcess(optimize=False).fit(X, y)
    rng = np.random.default_rng(0)
    lo, hi = gp.bounds_[:, 0], gp.bounds_[:, 1]
    for _ in range(4):
        theta = lo + (hi - lo) * rng.uniform(0.2, 0.8, size=len(lo))
        _, grad = gp.log_marginal_likelihood(theta, eval_gradient=True)
        fd = approx_fprime(theta, lambda t: gp.log_marginal_likelihood(t), 1e-6)
        assert np.allclose(grad, fd, rtol=1e-4, atol=1e-4 * np.abs(fd).max())
        # the fitted objective (negative log posterior) too
        _, obj_grad = gp._objective(theta)
        obj_fd = approx_fprime(theta, lambda t: gp._objective(t)[0], 1e-6)
        assert np.allclose(
            obj_grad, obj_fd, rtol=1e-4, atol=1e-4 * np.abs(obj_fd).max()
        )


def test_fit_maximises_the_log_posterior():
    X, y = _data(n=30, d=2, noise=0.05)
    gp = GaussianProcess(random_state=0).fit(X, y)
    best = gp._objective(gp.theta_)[0]
    rng = np.random.default_rng(0)
    lo, hi = gp.bounds_[:, 0], gp.bounds_[:, 1]
    for _ in range(20):
        theta = np.clip(gp.theta_ + 0.3 * rng.standard_normal(len(lo)), lo, hi)
        assert gp._objective(theta)[0] >= best - 1e-6


def test_length_scales_reflect_relevance():
    rng = np.random.default_rng(0)
    X = rng.random((40, 3))
    y = np.sin(6 * X[:, 0]) + 0.2 * X[:, 1]  # x2 is irrelevant
    gp = GaussianProcess(random_state=0).fit(X, y)
    ls = np.exp(gp.theta_[1:-1])
    assert ls[0] < ls[1] < ls[2]


def test_noise_is_learned():
    X, y = _data(n=40, d=2, seed=1)
    _, y_noisy = _data(n=40, d=2, seed=1, noise=0.3)
    clean = GaussianProcess(random_state=0).fit(X, y)
    noisy = GaussianProcess(random_state=0).fit(X, y_noisy)
    assert np.exp(noisy.theta_[-1]) > 100 * np.exp(clean.theta_[-1])
    assert np.exp(noisy.theta_[-1]) * np.var(y_noisy) == pytest.approx(0.09, rel=0.6)


def test_condition_on_equals_fresh_fit_with_fixed_theta():
    X, y = _data(n=15, d=2, noise=0.05)
    gp = GaussianProcess(random_state=0).fit(X, y)
    X_new = np.array([[0.5, 0.5], [0.9, 0.1], X[0]])
    y_new = np.array([2.0, -1.0, y[0]])
    cond = gp.condition_on(X_new, y_new)
    fresh = GaussianProcess(optimize=False).fit(
        np.vstack([X, X_new]), np.concatenate([y, y_new]), theta0=gp.theta_
    )
    X_test = np.random.default_rng(2).random((30, 2))
    for a, b in zip(cond.predict(X_test), fresh.predict(X_test)):
        assert np.allclose(a, b, rtol=1e-7, atol=1e-9)
    assert cond.log_marginal_likelihood_value_ == pytest.approx(
        fresh.log_marginal_likelihood_value_, rel=1e-8
    )
    assert np.array_equal(cond.theta_, gp.theta_)
    # the original GP is untouched
    assert len(gp.y_train_) == 15
    assert gp.predict(X_test)[0] == pytest.approx(
        GaussianProcess(optimize=False).fit(X, y, theta0=gp.theta_).predict(X_test)[0]
    )


def test_kriging_believer_fantasy_shrinks_std_only_locally():
    X, y = _data(n=10, d=2)
    gp = GaussianProcess(random_state=0).fit(X, y)
    x = np.array([[0.95, 0.95]])
    mean, std = gp.predict(x)
    cond = gp.condition_on(x, mean)
    mean2, std2 = cond.predict(x)
    assert mean2[0] == pytest.approx(mean[0], abs=1e-2 * np.std(y))
    assert std2[0] < 0.3 * std[0]


def test_deterministic_given_random_state_and_warm_start():
    X, y = _data(n=25, d=3, noise=0.1)
    a = GaussianProcess(random_state=3).fit(X, y)
    b = GaussianProcess(random_state=3).fit(X, y)
    assert np.array_equal(a.theta_, b.theta_)
    warm = GaussianProcess(n_restarts=0).fit(X, y, theta0=a.theta_)
    assert warm._objective(warm.theta_)[0] <= a._objective(a.theta_)[0] + 1e-6
    # a theta0 of the wrong shape is ignored
    GaussianProcess(random_state=0).fit(X, y, theta0=np.zeros(2))


def test_optimize_false_uses_theta0():
    X, y = _data(n=10, d=2)
    theta = np.array([0.1, -1.0, -0.5, -4.0])
    gp = GaussianProcess(optimize=False).fit(X, y, theta0=theta)
    assert np.array_equal(gp.theta_, theta)


@pytest.mark.parametrize("n", [1, 2])
def test_tiny_training_sets(n):
    X, y = _data(n=n, d=2)
    gp = GaussianProcess(random_state=0).fit(X, y)
    mean, std = gp.predict(np.vstack([X, [[0.5, 0.5]]]))
    assert np.all(np.isfinite(mean)) and np.all(np.isfinite(std))
    assert np.allclose(mean[:n], y, atol=0.05 * max(1.0, np.ptp(y)))


def test_constant_targets_and_duplicated_rows():
    X = np.array([[0.1, 0.2], [0.1, 0.2], [0.5, 0.5], [0.5, 0.5], [0.9, 0.3]])
    gp = GaussianProcess(random_state=0).fit(X, np.full(5, 7.0))
    mean, std = gp.predict(np.random.default_rng(0).random((10, 2)))
    assert np.allclose(mean, 7.0)
    assert np.all(np.isfinite(std))
    # duplicated rows with different targets: the noise term absorbs them
    y = np.array([1.0, 1.2, 0.0, -0.2, 0.5])
    gp = GaussianProcess(random_state=0).fit(X, y)
    mean = gp.predict(X[[0, 2]], return_std=False)
    assert np.all(np.isfinite(mean))
    assert mean[0] > mean[1]


def test_input_validation():
    with pytest.raises(ValueError, match="same"):
        GaussianProcess().fit(np.zeros((3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="finite"):
        GaussianProcess().fit(np.zeros((2, 2)), np.array([0.0, np.nan]))


def test_mean_quantile_is_the_prior_mean():
    X, y = _data(n=12, d=2, noise=0.05)
    gp = GaussianProcess(random_state=0, mean_quantile=0.25).fit(X, y)
    # oracle: scikit-learn's GP with the same fixed kernel on the targets
    # centred on their lower quartile, scaled by their standard deviation
    q, s, theta = np.quantile(y, 0.25), y.std(), gp.theta_
    kernel = ConstantKernel(np.exp(theta[0]), "fixed") * Matern(
        length_scale=np.exp(theta[1:-1]), nu=2.5, length_scale_bounds="fixed"
    )
    ref = GaussianProcessRegressor(
        kernel, alpha=np.exp(theta[-1]) + _gp._JITTER, optimizer=None
    ).fit(X, (y - q) / s)
    X_test = np.vstack([np.random.default_rng(1).random((20, 2)), [[9.0, 9.0]]])
    mean, std = gp.predict(X_test)
    ref_mean, ref_std = ref.predict(X_test, return_std=True)
    assert np.allclose(mean, q + s * ref_mean, rtol=1e-6, atol=1e-8)
    assert np.allclose(std, s * ref_std, rtol=1e-5, atol=1e-8)
    # far from the data the posterior mean returns to the quartile, not the mean
    assert mean[-1] == pytest.approx(q, abs=0.05 * s)
    assert mean[-1] < y.mean() - 0.3 * s
    # conditioning keeps the prior mean's rule (on the combined targets)
    X_new, y_new = np.array([[0.5, 0.5]]), np.array([3.0])
    cond = gp.condition_on(X_new, y_new)
    fresh = GaussianProcess(optimize=False, mean_quantile=0.25).fit(
        np.vstack([X, X_new]), np.append(y, y_new), theta0=theta
    )
    assert cond.mean_quantile == 0.25
    for a, b in zip(cond.predict(X_test), fresh.predict(X_test)):
        assert np.allclose(a, b, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("q", [-0.1, 1.5, "low", np.nan])
def test_mean_quantile_validation(q):
    with pytest.raises(ValueError, match=r"mean_quantile must be in \[0, 1\]"):
        GaussianProcess(mean_quantile=q).fit(np.zeros((2, 1)), np.zeros(2))
