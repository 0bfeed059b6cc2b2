"""Tests of skhpo.space: dimensions, sub-spaces, coercion and error messages."""

import copy
import math
import pickle
import re
import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import ParameterGrid
from sklearn.svm import SVC
from sklearn.utils import check_random_state

from skhpo.space import (
    INACTIVE_VALUE,
    Categorical,
    Dimension,
    Distribution,
    Integer,
    Real,
    SearchSpace,
    Space,
    check_dimension,
    check_space,
)

# --------------------------------------------------------------------------
# Test doubles: objects with only ``rvs``, as scikit-learn's own tests use.


class LegacyUniform:
    """Written for RandomState, as scikit-learn users write them."""

    def rvs(self, random_state=None):
        return check_random_state(random_state).uniform(0, 10)


class GeneratorDice:
    """Written for numpy Generators; records what it was given."""

    def __init__(self):
        self.seen = []

    def rvs(self, random_state=None):
        self.seen.append(type(random_state))
        return int(random_state.integers(1, 7))


class WordSampler:
    """Draws non-numeric values."""

    def rvs(self, random_state=None):
        return ["adam", "sgd", "lbfgs"][check_random_state(random_state).randint(3)]


def rng(seed=0):
    return np.random.default_rng(seed)


def all_dimensions():
    return [
        Real(-2.0, 3.0),
        Real(1e-3, 1e3, prior="log-uniform"),
        Integer(-3, 4),
        Integer(1, 1000, prior="log-uniform"),
        Categorical(["a", "b", "c", None]),
        Categorical([True, False]),
        Distribution(stats.uniform(0, 1)),
        Distribution(stats.loguniform(1e-3, 1e3)),
        Distribution(stats.expon()),
        Distribution(stats.norm()),
        Distribution(stats.randint(1, 5)),
        Distribution(stats.bernoulli(0.5)),
        Distribution(LegacyUniform()),
        Distribution(GeneratorDice()),
    ]


ALL_IDS = [
    "real",
    "real-log",
    "int",
    "int-log",
    "cat",
    "cat2",
    "uniform",
    "loguniform",
    "expon",
    "norm",
    "randint",
    "bernoulli",
    "legacy-rvs",
    "generator-rvs",
]


# --------------------------------------------------------------------------
# scikit-optimize compatibility


def test_skopt_positional_signatures_match_keywords():
    real = Real(1e-3, 1e3, "log-uniform", 10, "normalize", "C", float)
    assert real == Real(
        low=1e-3,
        high=1e3,
        prior="log-uniform",
        base=10,
        transform="normalize",
        name="C",
        dtype=float,
    )
    assert (real.low, real.high, real.prior, real.name) == (
        1e-3,
        1e3,
        "log-uniform",
        "C",
    )
    integer = Integer(1, 10, "log-uniform", 2, "identity", "n", int)
    assert (integer.low, integer.high, integer.prior, integer.base, integer.name) == (
        1,
        10,
        "log-uniform",
        2,
        "n",
    )
    cat = Categorical(["a", "b"], None, "onehot", "kernel")
    assert cat == Categorical(categories=["a", "b"], transform="onehot", name="kernel")
    assert cat.categories == ("a", "b") and cat.name == "kernel"


def test_skopt_transform_argument_is_ignored():
    values = [0.001, 0.5, 999.0]
    plain = Real(1e-3, 1e3, prior="log-uniform").transform(values)
    normalized = Real(1e-3, 1e3, prior="log-uniform", transform="normalize")
    np.testing.assert_array_equal(normalized.transform(values), plain)


# --------------------------------------------------------------------------
# Invalid dimensions: built without raising (like scikit-learn estimators), they
# raise when used, and check_space raises the same error naming the parameter.


def assert_invalid(dim, error, message):
    cls = type(dim).__name__
    with pytest.raises(error, match="^" + re.escape(f"{cls}: {message}")):
        dim.rvs(1, rng())
    with pytest.raises(error, match="^" + re.escape(f"{cls}: {message}")):
        dim.cardinality  # noqa: B018
    where = "param_distributions['p']"
    with pytest.raises(error, match="^" + re.escape(f"{where}: {message}")):
        check_space({"p": dim})
    where = "param_distributions[1]['p']"
    with pytest.raises(error, match="^" + re.escape(f"{where}: {message}")):
        check_space([{"q": [1]}, {"p": dim}])
    with pytest.raises(error, match="^" + re.escape(f"dimensions['p']: {message}")):
        Space({"p": dim})
    # Still printable, picklable and comparable, as a search's parameter must be.
    assert repr(dim).startswith(f"{cls}(")
    assert pickle.loads(pickle.dumps(dim)) == dim


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Real(1, 1), "low=1 must be < high=1"),
        (lambda: Real(2.0, 1.0), "low=2.0 must be < high=1.0"),
        (lambda: Integer(5, 5), "low=5 must be < high=5"),
        (
            lambda: Real(0, 1, prior="log-uniform"),
            "prior='log-uniform' needs low > 0, got low=0",
        ),
        (
            lambda: Real(-1.0, 1, prior="log-uniform"),
            "prior='log-uniform' needs low > 0, got low=-1.0",
        ),
        (
            lambda: Integer(0, 10, prior="log-uniform"),
            "prior='log-uniform' needs low >= 1, got low=0",
        ),
        (lambda: Categorical([]), "categories must not be empty"),
        (lambda: Real(0, 1, prior="normal"), "prior must be one of"),
        (lambda: Real(0, 1, base=1), "base must be"),
        (lambda: Real(0, 1, dtype=int), "dtype must be a float type"),
        (lambda: Integer(0, 5, dtype=float), "dtype must be an integer type"),
        (lambda: Integer(0.5, 5), "low must be an integer"),
        (lambda: Real(0, math.inf), "high must be finite"),
        (lambda: Real(0, 1, transform="bogus"), "transform must be one of"),
        (lambda: Categorical(["a"], prior=[0.5, 0.5]), "prior must be 1"),
        (lambda: Categorical(["a", "b"], prior=[0.5, 0.6]), "prior must sum to 1"),
        (
            lambda: Categorical(np.ones((2, 2))),
            "a numpy array of categories must be 1-d",
        ),
        (
            lambda: Distribution(stats.loguniform(0, 1)),
            "loguniform(0, 1) has invalid parameters",
        ),
        (
            lambda: Distribution(stats.randint(5, 5)),
            "randint(5, 5) has invalid parameters",
        ),
    ],
    ids=[
        "real-low-equals-high",
        "real-low-above-high",
        "int-low-equals-high",
        "log-low-zero",
        "log-low-negative",
        "int-log-low-zero",
        "empty-categorical",
        "bad-prior",
        "bad-base",
        "real-int-dtype",
        "int-float-dtype",
        "int-fractional-low",
        "infinite-high",
        "bad-transform",
        "prior-length",
        "prior-sum",
        "2d-categories",
        "scipy-log-low-zero",
        "scipy-low-equals-high",
    ],
)
def test_invalid_arguments_raise_value_error(make, message):
    assert_invalid(make(), ValueError, message)


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: Real("0", 1), "low must be a number"),
        (lambda: Categorical("abc"), "categories must be a list"),
        (lambda: Distribution(3.0), "dist must be a scipy.stats distribution"),
        (lambda: Real(0, 1, name=3), "name must be a str or None"),
    ],
)
def test_invalid_arguments_raise_type_error(make, message):
    assert_invalid(make(), TypeError, message)


def test_invalid_dimension_raises_in_every_method():
    dim = Real(1, 1)
    for use in [
        lambda: dim.from_unit([0.5]),
        lambda: dim.to_unit([1.0]),
        lambda: dim.transform([1.0]),
        lambda: dim.neighbor(1.0, rng(), 0.1),
        lambda: dim.grid(),
        lambda: dim.contains(1.0),
        lambda: dim.n_features,
        lambda: dim.is_numeric,
    ]:
        with pytest.raises(ValueError, match=r"^Real: low=1 must be < high=1$"):
            use()


# --------------------------------------------------------------------------
# The contract shared by every dimension


@pytest.mark.parametrize("dim", all_dimensions(), ids=ALL_IDS)
def test_rvs_is_deterministic_and_plain_python(dim):
    a, b = dim.rvs(50, rng(3)), dim.rvs(50, rng(3))
    assert a == b
    assert a != dim.rvs(50, rng(4))
    assert len(a) == 50
    for value in a:
        assert not isinstance(value, np.generic)
        assert dim.contains(value)


@pytest.mark.parametrize("dim", all_dimensions(), ids=ALL_IDS)
def test_transform_is_in_unit_cube_with_n_features_columns(dim):
    values = dim.rvs(40, rng()) + dim.from_unit(np.array([0.0, 1.0]))
    X = dim.transform(values)
    assert X.shape == (42, dim.n_features)
    assert np.all((X >= 0) & (X <= 1))
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("dim", all_dimensions(), ids=ALL_IDS)
def test_from_unit_to_unit_round_trip(dim):
    values = dim.from_unit(np.linspace(0, 1, 101))
    back = dim.from_unit(dim.to_unit(values))
    if dim.cardinality is not None or isinstance(values[0], (int, str, type(None))):
        assert back == values
    else:
        np.testing.assert_allclose(back, values, rtol=1e-9)


@pytest.mark.parametrize("dim", all_dimensions(), ids=ALL_IDS)
def test_pickle_copy_and_equality(dim):
    again = pickle.loads(pickle.dumps(dim))
    assert type(again) is type(dim)
    assert again.rvs(10, rng(1)) == dim.rvs(10, rng(1))
    assert copy.deepcopy(dim).from_unit([0.25, 0.75]) == dim.from_unit([0.25, 0.75])
    if not isinstance(dim, Distribution) or dim.kind != "empirical":
        assert again == dim and hash(again) == hash(dim)
    assert dim != Real(-100.0, -99.0)


@pytest.mark.parametrize("dim", all_dimensions(), ids=ALL_IDS)
def test_dimensions_are_immutable(dim):
    with pytest.raises(AttributeError, match="immutable"):
        dim.name = "other"


@pytest.mark.parametrize("dim", all_dimensions(), ids=ALL_IDS)
def test_neighbor_stays_valid_and_is_deterministic(dim):
    start = dim.rvs(1, rng(7))[0]
    moves = [dim.neighbor(start, rng(s), 0.3) for s in range(30)]
    assert moves == [dim.neighbor(start, rng(s), 0.3) for s in range(30)]
    assert all(dim.contains(m) for m in moves)
    assert any(m != start for m in moves)


def test_repr_shows_non_default_arguments():
    assert repr(Real(0, 1)) == "Real(low=0.0, high=1.0)"
    assert repr(Integer(1, 8, "log-uniform", name="n")) == (
        "Integer(low=1, high=8, prior='log-uniform', name='n')"
    )
    assert repr(Categorical(["a", None])) == "Categorical(categories=('a', None))"
    assert repr(Distribution(stats.loguniform(0.1, 1))) == (
        "Distribution(loguniform(0.1, 1))"
    )


# --------------------------------------------------------------------------
# Real


@pytest.mark.parametrize(
    "low, high, prior",
    [
        # Bounds where low + 1 * (high - low) or exp(log(high)) misses high.
        (0.861, 3.408, "uniform"),
        (0.607, 7.929, "log-uniform"),
        (0.3, 2.9, "log-uniform"),
        # ... and where exp overshoots high just below u = 1.
        (0.484, 10.135, "log-uniform"),
    ],
)
def test_real_bounds_are_inclusive(low, high, prior):
    dim = Real(low, high, prior=prior)
    assert dim.from_unit(np.array([0.0, 1.0])) == [low, high]
    assert dim.from_unit(np.array([-0.5, 1.5])) == [low, high]
    u = np.concatenate([np.linspace(0, 1, 1001), [np.nextafter(1.0, 0.0)]])
    assert all(low <= v <= high for v in dim.from_unit(u))
    assert dim.contains(low) and dim.contains(high) and not dim.contains(high + 0.1)
    np.testing.assert_array_equal(dim.to_unit([low, high, 100.0]), [0, 1, 1])


def test_out_of_range_values_encode_as_the_nearest_bound():
    real = Real(1e-3, 1e3, prior="log-uniform")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no log of a negative number
        X = real.transform([-5.0, 0.0, 1e6])
        U = Integer(1, 10, prior="log-uniform").to_unit([0, -3, 11])
    np.testing.assert_array_equal(X.ravel(), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(U, Integer(1, 10, "log-uniform").to_unit([1, 1, 10]))


def test_real_log_uniform_is_uniform_in_log_space():
    dim = Real(1e-3, 1e3, prior="log-uniform")
    np.testing.assert_allclose(dim.from_unit([0.5, 0.25]), [1.0, 10**-1.5])
    np.testing.assert_allclose(dim.transform([1.0, 10.0]).ravel(), [0.5, 4 / 6])
    draws = np.log10(dim.rvs(4000, rng()))
    assert abs(np.mean(draws < 0) - 0.5) < 0.03
    assert abs(np.mean(draws < -2) - 1 / 6) < 0.03


def test_real_neighbor_is_local_and_reflected():
    dim = Real(0.0, 1.0)
    small = [dim.neighbor(0.5, rng(s), 0.01) for s in range(50)]
    assert max(abs(v - 0.5) for v in small) < 0.05
    assert len(set(small)) == 50
    large = [dim.neighbor(0.99, rng(s), 5.0) for s in range(200)]
    assert all(0.0 < v < 1.0 for v in large)  # clipping would pile at 0 and 1
    assert abs(np.mean(large) - 0.5) < 0.1


# --------------------------------------------------------------------------
# Integer


def test_integer_uniform_gives_equal_cells():
    dim = Integer(-3, 4)
    values = dim.from_unit(np.linspace(0, 1, 8001)[:-1])
    counts = np.bincount(np.array(values) + 3)
    assert counts.tolist() == [1000] * 8
    assert dim.from_unit([1.0]) == [4]
    assert all(type(v) is int for v in values)


@pytest.mark.parametrize("high", [10, 99, 1000])
def test_integer_log_uniform_reaches_every_integer(high):
    dim = Integer(1, high, prior="log-uniform")
    values = dim.from_unit(np.linspace(0, 1, 20001))
    assert set(values) == set(range(1, high + 1))
    assert values[0] == 1 and values[-1] == high
    # Integer v has a log((v + 1) / v) share: 1 gets log 2 / log(high + 1).
    share_of_1 = np.mean(np.array(values) == 1)
    assert abs(share_of_1 - math.log(2) / math.log(high + 1)) < 1e-3
    assert all(type(v) is int for v in values)


@pytest.mark.parametrize(
    "dim",
    [
        Integer(-5, 5),
        Integer(-(10**9), 10**9),
        Integer(1, 1000, prior="log-uniform"),
        Integer(3, 10**6, prior="log-uniform"),
    ],
)
def test_integer_round_trip_is_exact(dim):
    values = dim.rvs(2000, rng()) + [dim.low, dim.low + 1, dim.high - 1, dim.high]
    assert dim.from_unit(dim.to_unit(values)) == values


def test_integer_neighbor_moves_at_least_one_step():
    dim = Integer(0, 1000)
    for s in range(100):
        new = dim.neighbor(500, rng(s), 1e-6)
        assert type(new) is int and abs(new - 500) == 1
    assert {dim.neighbor(0, rng(s), 0.0) for s in range(20)} == {1}
    assert {dim.neighbor(1000, rng(s), 0.0) for s in range(20)} == {999}


def test_integer_grid_and_cardinality():
    assert Integer(2, 5).grid() == [2, 3, 4, 5]
    assert Integer(2, 5).cardinality == 4
    assert Integer(2, 5).is_numeric
    assert Real(2, 5).cardinality is None
    with pytest.raises(ValueError, match="no grid"):
        Real(2, 5).grid()


def test_numpy_bounds_become_python_numbers():
    dim = Integer(np.int64(1), np.int64(9))
    assert type(dim.low) is int and type(dim.high) is int
    assert type(Real(np.float32(0.5), np.int64(2)).low) is float


# --------------------------------------------------------------------------
# Categorical


def test_categorical_returns_the_very_estimators():
    svc, lr = SVC(), LogisticRegression()
    dim = Categorical([svc, lr])
    draws = dim.rvs(20, rng())
    assert {id(d) for d in draws} == {id(svc), id(lr)}
    assert dim.from_unit([0.1, 0.9])[0] is svc
    assert dim.from_unit(dim.to_unit([lr]))[0] is lr
    np.testing.assert_array_equal(dim.transform([svc, lr, lr]).ravel(), [0, 1, 1])
    # A clone (what the search fits) is still recognised.
    assert dim.index(clone(lr)) == 1
    assert not dim.contains(SVC(C=3.0))


def test_categorical_identity_before_equality():
    one, true = 1, True
    dim = Categorical([one, true])  # 1 == True, but they are different values
    assert dim.index(True) == 1 and dim.index(1) == 0
    assert dim.grid()[1] is True


@pytest.mark.parametrize(
    "categories, value, index",
    [
        ([None, "balanced"], None, 0),
        ([None, "balanced"], "balanced", 1),
        ([(10,), (20, 10), (5, 5, 5)], (20, 10), 1),
        ([[1, 2], {"a": 1}, {"a": 2}], {"a": 2}, 2),
        ([np.array([1, 2]), np.array([3, 4])], np.array([3, 4]), 1),
        ([0.1, 1.0, 10.0], np.float64(10.0), 2),
    ],
)
def test_categorical_unhashable_and_odd_values(categories, value, index):
    dim = Categorical(categories)
    assert dim.index(value) == index
    assert dim.contains(value)
    X = dim.transform([value])
    assert X.shape == (1, dim.n_features)
    assert dim.from_unit(dim.to_unit([value]))[0] is dim.categories[index]


def test_categorical_numpy_scalars_become_python():
    dim = Categorical([np.int64(3), np.str_("a"), np.float64(0.5), np.bool_(True)])
    assert [type(c) for c in dim.categories] == [int, str, float, bool]
    assert [type(v) for v in dim.grid()] == [int, str, float, bool]
    from_array = check_dimension(np.array(["x", "y"]), "p")
    assert [type(v) for v in from_array.rvs(5, rng())] == [str] * 5


def test_categorical_encoding_width():
    three = Categorical(["a", "b", "c"])
    np.testing.assert_array_equal(three.transform(["c", "a"]), [[0, 0, 1], [1, 0, 0]])
    two = Categorical(["a", "b"])
    assert two.n_features == 1
    np.testing.assert_array_equal(two.transform(["b", "a"]), [[1], [0]])
    one = Categorical(["only"])
    assert one.n_features == 1 and one.cardinality == 1
    assert one.neighbor("only", rng(), 1.0) == "only"


def test_categorical_from_unit_equal_cells_and_prior():
    dim = Categorical(["a", "b", "c", "d"], prior=[0.7, 0.1, 0.1, 0.1])
    assert dim.from_unit([0.0, 0.26, 0.51, 0.76, 1.0]) == ["a", "b", "c", "d", "d"]
    draws = dim.rvs(5000, rng())
    assert abs(draws.count("a") / 5000 - 0.7) < 0.03
    assert abs(draws.count("d") / 5000 - 0.1) < 0.02


def test_categorical_neighbor_probability():
    dim = Categorical(["a", "b", "c"])
    assert {dim.neighbor("b", rng(s), 0.0) for s in range(50)} == {"b"}
    assert "b" not in {dim.neighbor("b", rng(s), 0.5) for s in range(50)}
    moved = np.mean([dim.neighbor("a", rng(s), 0.2) != "a" for s in range(2000)])
    assert abs(moved - 0.4) < 0.04
    with pytest.raises(ValueError, match="not one of the categories"):
        dim.neighbor("z", rng(), 0.2)


def test_categorical_unknown_value():
    with pytest.raises(ValueError, match="not one of the categories"):
        Categorical(["a"]).transform(["b"])
    assert not Categorical(["a"]).contains("b")


# --------------------------------------------------------------------------
# Distribution


@pytest.mark.parametrize(
    "dist, kind, value_type, cardinality",
    [
        (stats.uniform(0, 1), "continuous", float, None),
        (stats.loguniform(1e-3, 1e3), "continuous", float, None),
        (stats.expon(), "continuous", float, None),
        (stats.norm(), "continuous", float, None),
        (stats.randint(1, 5), "discrete", int, 4),
        (stats.bernoulli(0.5), "discrete", int, 2),
    ],
)
def test_scipy_distributions(dist, kind, value_type, cardinality):
    dim = Distribution(dist)
    assert dim.kind == kind and dim.is_numeric and dim.cardinality == cardinality
    draws = dim.rvs(200, rng())
    assert all(type(v) is value_type for v in draws)
    # Sampling is the distribution's own, from the Generator.
    expected = np.asarray(dist.rvs(size=200, random_state=rng())).tolist()
    np.testing.assert_allclose(draws, expected)
    u = np.linspace(0.01, 0.99, 9)
    np.testing.assert_allclose(dim.from_unit(u), dist.ppf(u))


def test_distribution_unit_maps_follow_cdf():
    uniform = Distribution(stats.uniform(0, 1))
    np.testing.assert_allclose(uniform.to_unit([0.2, 0.7]), [0.2, 0.7])
    loguniform = Distribution(stats.loguniform(1e-3, 1e3))
    real = Real(1e-3, 1e3, prior="log-uniform")
    u = np.linspace(0.05, 0.95, 7)
    np.testing.assert_allclose(loguniform.from_unit(u), real.from_unit(u), rtol=1e-9)
    normal = Distribution(stats.norm())
    assert np.all(np.isfinite(normal.from_unit([0.0, 1.0])))


@pytest.mark.parametrize(
    "dist",
    [
        stats.uniform(-2.0, 5.0),
        stats.loguniform(1e-4, 1e-1),
        stats.reciprocal(2.0, 300.0),
        stats.loguniform(1e-3, 1.0, loc=1.0),  # no closed form: scipy's maps
        stats.loguniform(1e-3, 1.0, scale=10.0),
        stats.randint(16, 257),
        stats.binom(12, 0.3),
        stats.rv_discrete(values=([1, 4, 9], [0.2, 0.5, 0.3]))(),
        stats.rv_discrete(values=([-3, 0, 9], [0.1, 0.1, 0.8]))(loc=2),
        stats.rv_discrete(values=([0.5, 1.5, 3.25], [0.2, 0.3, 0.5]))(),
        stats.randint(0, 4, loc=0.5),
        stats.randint(-5, -4),
        stats.poisson(3.0),  # unbounded support: scipy's maps
    ],
    ids=lambda d: Distribution(d).__repr__(),
)
def test_distribution_unit_maps_agree_with_scipy(dist):
    """The numpy maps (closed forms, tabulated cdfs) give scipy's values."""
    dim = Distribution(dist)
    u = np.concatenate([[0.0, 1.0], np.linspace(0.003, 0.997, 41)])
    u_in = np.clip(u, 1e-12, 1 - 1e-12)
    np.testing.assert_allclose(dim.from_unit(u), dist.ppf(u_in), rtol=1e-12)
    low, high = dist.support()
    x = np.asarray(dist.ppf(np.linspace(0.01, 0.99, 23)), dtype=float)
    if dim.kind == "continuous":
        outside = [low - 1.0, high + 1.0] if np.isfinite(high) else [low - 1.0]
        x = np.concatenate([x, outside])
        np.testing.assert_allclose(dim.to_unit(x), dist.cdf(x), atol=1e-12)
    else:
        # cell centres, also between and beyond the support's values
        x = np.concatenate([x, x + 0.5, [low - 3.0, low - 1.0]])
        centre = 0.5 * (dist.cdf(x - 1.0) + dist.cdf(x))
        np.testing.assert_allclose(dim.to_unit(x), centre, atol=1e-12)
    # a move stays in the support
    gen = rng()
    value = dim.rvs(1, gen)[0]
    for _ in range(50):
        value = dim.neighbor(value, gen, 0.2)
        assert dim.contains(value)


@pytest.mark.parametrize(
    "dist, grid",
    [
        (stats.rv_discrete(values=([-3, 0, 9], [0.1, 0.1, 0.8]))(loc=2), [-1, 2, 11]),
        (stats.randint(0, 4, loc=0.5), [0.5, 1.5, 2.5, 3.5]),
        (stats.rv_discrete(values=([0.5, 1.5], [0.4, 0.6]))(), [0.5, 1.5]),
    ],
)
def test_discrete_distribution_grid_follows_loc(dist, grid):
    """The values are the support's, a ``loc`` included."""
    dim = Distribution(dist)
    assert dim.grid() == grid and dim.cardinality == len(grid)
    assert all(dim.contains(v) for v in grid)
    assert not dim.contains(grid[0] - 1) and not dim.contains(grid[0] + 0.25)
    assert dim.from_unit(dim.to_unit(grid)) == grid


def test_discrete_distribution_with_a_huge_support_is_cheap():
    """randint(0, 10**12) keeps a range, not a list of 10**12 integers."""
    dim = Distribution(stats.randint(0, 10**12))
    assert dim.cardinality == 10**12
    assert dim.contains(123_456_789_012) and dim.contains(5.0)
    assert not dim.contains(10**12) and not dim.contains(2.5)
    gen = rng()
    value = dim.rvs(1, gen)[0]
    moved = [value := dim.neighbor(value, gen, 1e-13) for _ in range(20)]
    assert all(0 <= v < 10**12 for v in moved)
    assert dim.from_unit([0.5]) == [int(stats.randint(0, 10**12).ppf(0.5))]


def test_discrete_distribution_grid_cells_and_neighbor():
    dim = Distribution(stats.randint(1, 5))
    assert dim.grid() == [1, 2, 3, 4]
    np.testing.assert_allclose(dim.to_unit([1, 2, 3, 4]), [0.125, 0.375, 0.625, 0.875])
    assert dim.from_unit([0.0, 0.3, 0.6, 1.0]) == [1, 2, 3, 4]
    for s in range(30):
        assert abs(dim.neighbor(2, rng(s), 1e-6) - 2) == 1
    assert {dim.neighbor(4, rng(s), 0.0) for s in range(20)} == {3}
    assert Distribution(stats.bernoulli(0.3)).grid() == [0, 1]
    with pytest.raises(ValueError, match="no grid"):
        Distribution(stats.poisson(3)).grid()
    assert Distribution(stats.poisson(3)).cardinality is None


def test_rvs_only_object_written_for_random_state():
    dim = Distribution(LegacyUniform())
    assert dim.kind == "empirical" and dim.is_numeric and dim.cardinality is None
    draws = dim.rvs(20, rng(5))
    assert draws == dim.rvs(20, rng(5))
    assert all(type(v) is float and 0 <= v <= 10 for v in draws)
    # The quantile table: 2048 draws of RandomState(0), nearest rank.
    legacy = np.random.RandomState(0)
    table = sorted(LegacyUniform().rvs(legacy) for _ in range(2048))
    assert dim.from_unit([0.0, 0.5, 1.0]) == [table[0], table[1024], table[2047]]
    assert dim.from_unit(dim.to_unit([table[100]])) == [table[100]]
    # A value off the table maps to the cell of the nearest table value.
    off = 0.5 * (table[100] + table[101]) - 1e-12
    assert dim.from_unit(dim.to_unit([off])) == [table[100]]


def test_rvs_only_object_gets_the_generator():
    dice = GeneratorDice()
    dim = Distribution(dice)
    draws = dim.rvs(300, rng())
    assert set(dice.seen) == {np.random.Generator}
    assert set(draws) == {1, 2, 3, 4, 5, 6} and all(type(v) is int for v in draws)
    # Integer draws: from_unit stays on the values, neighbour moves on the lattice.
    assert set(dim.from_unit(np.linspace(0, 1, 200))) == {1, 2, 3, 4, 5, 6}
    assert all(abs(dim.neighbor(3, rng(s), 1e-6) - 3) == 1 for s in range(20))


def test_rvs_only_object_with_words_behaves_like_categories():
    dim = Distribution(WordSampler())
    assert not dim.is_numeric
    assert set(dim.from_unit(np.linspace(0, 1, 50))) == {"adam", "sgd", "lbfgs"}
    for word in ["adam", "sgd", "lbfgs"]:
        assert dim.from_unit(dim.to_unit([word])) == [word]
    assert dim.to_unit(["never-drawn"]).tolist() == [0.5]
    assert dim.contains("sgd") and not dim.contains("rmsprop")


def test_distribution_equality():
    assert Distribution(stats.uniform(0, 2)) == Distribution(stats.uniform(0, 2))
    assert Distribution(stats.uniform(0, 2)) != Distribution(stats.uniform(0, 3))
    assert Distribution(stats.uniform(0, 2)) != Distribution(stats.norm(0, 2))
    obj = LegacyUniform()
    assert Distribution(obj) == Distribution(obj)
    assert Distribution(obj) != Distribution(LegacyUniform())

    # distributions built from data keep it in their generators, not in args
    def sample(values, probs):
        return stats.rv_discrete(values=(values, probs))()

    assert Distribution(sample([1, 2], [0.5, 0.5])) == Distribution(
        sample([1, 2], [0.5, 0.5])
    )
    assert Distribution(sample([1, 2], [0.5, 0.5])) != Distribution(
        sample([10, 20], [0.5, 0.5])
    )

    def histogram(x):
        return stats.rv_histogram(np.histogram(x, bins=3)).freeze()

    assert Distribution(histogram([1, 2, 3, 4])) == Distribution(
        histogram([1, 2, 3, 4])
    )
    assert Distribution(histogram([1, 2, 3, 4])) != Distribution(
        histogram([1, 2, 3, 9])
    )


# --------------------------------------------------------------------------
# check_dimension


def test_check_dimension_coercions():
    real = Real(0, 1)
    assert check_dimension(real, "C") is real
    pair = check_dimension([1, 10], "C")  # a list: two categories, as in scikit-learn
    assert isinstance(pair, Categorical) and pair.grid() == [1, 10]
    # tuples that are no range for scikit-optimize either stay categories
    assert check_dimension(("a", "b"), "k").grid() == ["a", "b"]
    assert check_dimension((1, 2, 3), "k").grid() == [1, 2, 3]
    assert check_dimension((1, None), "k").grid() == [1, None]
    assert check_dimension((True, False), "k").grid() == [True, False]
    assert check_dimension((1, 2, "auto"), "k").grid() == [1, 2, "auto"]
    assert check_dimension(((16,), (32, 16)), "k").grid() == [(16,), (32, 16)]
    assert isinstance(check_dimension(stats.expon(), "C"), Distribution)
    assert isinstance(check_dimension(LegacyUniform(), "C"), Distribution)
    assert check_dimension(np.arange(3), "n").grid() == [0, 1, 2]
    assert check_dimension(range(2), "n").grid() == [0, 1]


# scikit-optimize's range tuples: refused, with the dimension to write
RANGE_TUPLES = [
    ((1, 32), "(1, 32)", "Integer(1, 32)", ", or the list [1, 32] for the 2 values."),
    (
        (1e-3, 1e3, "log-uniform"),
        "(0.001, 1000.0, 'log-uniform')",
        "Real(0.001, 1000.0, prior='log-uniform')",
        " for the range.",
    ),
    (
        (np.int64(1), 32.0),
        "(1, 32.0)",
        "Real(1, 32.0)",
        ", or the list [1, 32.0] for the 2 values.",
    ),
    (
        (0.1, 0.9, "uniform"),
        "(0.1, 0.9, 'uniform')",
        "Real(0.1, 0.9, prior='uniform')",
        " for the range.",
    ),
    (
        (1, 64, "log-uniform", 2),
        "(1, 64, 'log-uniform', 2)",
        "Integer(1, 64, prior='log-uniform', base=2)",
        " for the range.",
    ),
]


@pytest.mark.parametrize("value, shown, instead, end", RANGE_TUPLES)
def test_range_tuples_are_refused_naming_the_dimension_to_write(
    value, shown, instead, end
):
    with pytest.raises(ValueError) as info:
        check_space([{"a": [1]}, {"n": value}])
    message = str(info.value)
    assert message.startswith(
        f"param_distributions[1]['n']: {shown} is a range for scikit-optimize "
        f"but {len(value)} categories for scikit-learn, so skhpo does not guess. "
        f"Write {instead} (from skhpo.space) for the range"
    ), message
    assert message.endswith(end), message
    # what the message says to write is a valid dimension
    namespace = {"Integer": Integer, "Real": Real}
    eval(instead, namespace)._check_valid("n")


@pytest.mark.parametrize("value, shown, instead, end", RANGE_TUPLES)
def test_what_a_range_tuple_says_to_write_is_what_skopt_reads(
    value, shown, instead, end
):
    skopt_space = pytest.importorskip("skopt.space")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # skopt's warning about its future reading
        theirs = skopt_space.check_dimension(value)
    ours = eval(instead, {"Integer": Integer, "Real": Real})
    assert check_dimension(theirs, "n") == ours


@pytest.mark.parametrize(
    "value, error, message",
    [
        ("abc", TypeError, "param_distributions['C'] needs to be a list"),
        (1.0, TypeError, "Single values need to be wrapped in a list"),
        ({1, 2}, TypeError, "param_distributions['C'] needs to be a list"),
        ([], ValueError, "param_distributions['C']: categories must not be empty"),
        (np.ones((2, 2)), ValueError, "param_distributions['C']: a numpy array of"),
    ],
)
def test_check_dimension_errors_name_the_parameter(value, error, message):
    with pytest.raises(error, match=re.escape(message)):
        check_dimension(value, "C")


# --------------------------------------------------------------------------
# check_space: every error names the parameter


@pytest.mark.parametrize(
    "space, error, message",
    [
        ([], ValueError, "param_distributions must not be empty"),
        ({"kernel": []}, ValueError, "param_distributions['kernel']: categories"),
        ({"C": Real(1, 1)}, ValueError, "param_distributions['C']: low=1 must be <"),
        (
            [{"a": [1]}, {"C": Real(0.0, 1.0, "log-uniform")}],
            ValueError,
            "param_distributions[1]['C']: prior='log-uniform' needs low > 0",
        ),
        ({"kernel": "rbf"}, TypeError, "param_distributions['kernel'] needs to be"),
        ({1: [1, 2]}, TypeError, "param_distributions: parameter names must be str"),
        ([{"C": [1]}, {"gamma": 0.1}], TypeError, "param_distributions[1]['gamma']"),
        ([{"C": [1]}, "C"], TypeError, "param_distributions[1] must be a dict"),
        ("C", TypeError, "param_distributions must be a dict, a list of dicts"),
    ],
    ids=[
        "empty-list",
        "empty-categorical",
        "low-equals-high",
        "log-low-zero-in-second-dict",
        "string-value",
        "non-str-key",
        "single-value-in-second-dict",
        "non-dict-in-list",
        "not-a-space",
    ],
)
def test_check_space_errors_name_the_parameter(space, error, message):
    with pytest.raises(error, match=re.escape(message)):
        check_space(space)


@pytest.mark.parametrize(
    "space, message",
    [
        ({"C": stats.loguniform(0, 1)}, "param_distributions['C']: loguniform(0, 1)"),
        ({"n": stats.randint(5, 5)}, "param_distributions['n']: randint(5, 5)"),
        ([{"a": [1]}, {"C": stats.uniform(0, -1)}], "param_distributions[1]['C']: "),
    ],
    ids=["log-low-zero", "low-equals-high", "negative-scale-in-second-dict"],
)
def test_check_space_names_invalid_scipy_ranges(space, message):
    with pytest.raises(ValueError, match=re.escape(message) + ".*invalid parameters"):
        check_space(space)


def test_check_space_uses_the_given_parameter_name():
    with pytest.raises(ValueError, match=re.escape("param_grid['C']: categories")):
        check_space({"C": []}, param_name="param_grid")


def test_empty_dict_is_one_point_as_in_scikit_learn():
    space = check_space({})
    assert space.cardinality == 1 and space.n_dims == 0 and space.n_features == 0
    assert space.grid() == [(0, {})] == [(0, p) for p in ParameterGrid({})]
    assert space.rvs(3, rng(0)) == [(0, {})] * 3
    assert space.from_unit(np.full((2, 1), 0.3)) == [(0, {})] * 2
    assert space.transform([(0, {})]).shape == (1, 0)
    assert space.contains((0, {})) and space.neighbor((0, {}), rng(0), 0.1) == (0, {})
    # beside other sub-spaces, as scikit-learn's ParameterGrid([{}, {...}])
    mixed = check_space([{}, {"C": [1, 2]}])
    assert [p for _, p in mixed.grid()] == list(ParameterGrid([{}, {"C": [1, 2]}]))
    draws = mixed.rvs(40, rng(1))
    assert {k for k, _ in draws} == {0, 1}
    assert all(p == {} for k, p in draws if k == 0)
    assert mixed.transform(draws).shape == (40, 3)


# --------------------------------------------------------------------------
# scikit-optimize's dimension objects


def test_skopt_dimensions_become_skhpo_dimensions():
    skopt_space = pytest.importorskip("skopt.space")
    cases = [
        (
            skopt_space.Real(1e-3, 1e3, "log-uniform", base=2, name="C"),
            Real(1e-3, 1e3, prior="log-uniform", base=2, name="C"),
        ),
        (skopt_space.Real(-1.0, 1.0), Real(-1.0, 1.0)),
        (
            skopt_space.Integer(1, 32, prior="log-uniform", base=2),
            Integer(1, 32, prior="log-uniform", base=2),
        ),
        (skopt_space.Integer(0, 9), Integer(0, 9)),
        (
            skopt_space.Categorical(["rbf", "linear"], prior=[0.25, 0.75]),
            Categorical(["rbf", "linear"], prior=[0.25, 0.75]),
        ),
        (skopt_space.Categorical([None, 1, "a"]), Categorical([None, 1, "a"])),
    ]
    for theirs, ours in cases:
        converted = check_dimension(theirs, "x")
        assert type(converted) is type(ours) and converted == ours, theirs
    # skopt's transform does not matter: skhpo encodes in [0, 1]
    normalized = skopt_space.Real(1e-3, 1e3, "log-uniform", transform="normalize")
    assert check_dimension(normalized, "C") == Real(1e-3, 1e3, "log-uniform")
    # values drawn from a converted dimension are plain Python, as skhpo's
    space = check_space(
        {"n": skopt_space.Integer(1, 5), "C": skopt_space.Real(0.1, 1.0)}
    )
    for _, params in space.rvs(5, rng(0)):
        assert type(params["n"]) is int and type(params["C"]) is float


def test_other_skopt_objects_are_refused_saying_what_to_write():
    skopt_space = pytest.importorskip("skopt.space")
    whole = skopt_space.Space([skopt_space.Real(0.0, 1.0)])
    with pytest.raises(TypeError) as info:
        check_space({"C": whole})
    message = str(info.value)
    assert message.startswith("param_distributions['C']: scikit-optimize's Space")
    assert "Write a skhpo.space Real, Integer or Categorical" in message


def test_skopt_is_not_imported_for_other_values():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from scipy.stats import loguniform\n"
        "from skhpo.space import check_space\n"
        "check_space({'C': loguniform(1e-3, 1.0), 'k': ('a', 'b'), 'n': [1, 2]})\n"
        "assert 'skopt' not in sys.modules, 'skopt imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_check_space_passes_spaces_through():
    space = Space({"C": Real(0, 1)})
    search = check_space(space)
    assert isinstance(search, SearchSpace) and search.subspaces == [space]
    assert check_space(search) is search
    mixed = check_space([space, {"k": ["a"]}])
    assert mixed.n_subspaces == 2 and mixed.subspaces[0] is space


# --------------------------------------------------------------------------
# Space


def make_space():
    return Space(
        {
            "kernel": ["rbf", "linear", "poly"],
            "C": Real(1e-2, 1e2, prior="log-uniform"),
            "degree": Integer(2, 5),
            "gamma": stats.loguniform(1e-4, 1),
        }
    )


def test_space_names_sorted_and_sizes():
    space = make_space()
    assert space.names == ["C", "degree", "gamma", "kernel"]
    assert [type(d) for d in space.dimensions] == [
        Real,
        Integer,
        Distribution,
        Categorical,
    ]
    assert space.n_dims == 4 and space.n_features == 6
    assert space.cardinality is None
    assert Space({"a": [1, 2, 3], "b": Integer(1, 4)}).cardinality == 12


def test_space_rvs_from_unit_transform():
    space = make_space()
    params = space.rvs(30, rng(2))
    assert params == space.rvs(30, rng(2))
    assert all(list(p) == space.names and space.contains(p) for p in params)
    X = space.transform(params)
    assert X.shape == (30, 6) and np.all((X >= 0) & (X <= 1))
    # Blocks in name order: C, degree, gamma, then the kernel one-hot.
    np.testing.assert_array_equal(X[:, 3:].sum(axis=1), 1.0)
    np.testing.assert_allclose(
        X[:, 0], space.dimensions[0].to_unit([p["C"] for p in params])
    )
    U = np.array([[0.0, 0.0, 0.5, 0.0], [1.0, 1.0, 0.5, 1.0]])
    low, high = space.from_unit(U)
    assert low["C"] == 1e-2 and low["degree"] == 2 and low["kernel"] == "rbf"
    assert high["C"] == 1e2 and high["degree"] == 5 and high["kernel"] == "poly"
    assert low["gamma"] == pytest.approx(1e-2)
    back = space.from_unit(space.to_unit(params))
    for p, q in zip(params, back):
        assert p["degree"] == q["degree"] and p["kernel"] == q["kernel"]
        assert p["C"] == pytest.approx(q["C"]) and p["gamma"] == pytest.approx(
            q["gamma"]
        )
    with pytest.raises(ValueError, match=r"shape \(n, 4\)"):
        space.from_unit(np.zeros((2, 3)))
    with pytest.raises(KeyError, match="'kernel'"):
        space.transform([{"C": 1.0, "degree": 2, "gamma": 0.1}])


def test_space_neighbor_moves_some_dimensions_only():
    space = Space(
        {"a": Integer(0, 100), "b": Integer(0, 100), "c": ["fixed"], "d": [1, 2]}
    )
    start = {"a": 50, "b": 50, "c": "fixed", "d": 1, "extra": "kept"}
    n_moved = []
    for s in range(300):
        # scale 0.5: a selected Categorical always changes, so moved == selected.
        new = space.neighbor(start, rng(s), 0.5)
        assert new["c"] == "fixed" and new["extra"] == "kept"
        n_moved.append(sum(new[k] != start[k] for k in "abd"))
    n_moved = np.array(n_moved)
    assert n_moved.min() >= 1
    # Each of the 3 movable dimensions with probability 1/3: about 1.3 on average.
    assert 1.2 < n_moved.mean() < 1.5
    assert np.mean(n_moved == 3) < 0.1
    assert start == {"a": 50, "b": 50, "c": "fixed", "d": 1, "extra": "kept"}
    fixed = Space({"c": ["fixed"]})
    assert fixed.neighbor({"c": "fixed"}, rng(), 1.0) == {"c": "fixed"}


def test_space_neighbor_always_moves_one_numeric():
    space = Space({"a": Integer(0, 100), "b": Integer(0, 100)})
    for s in range(100):
        new = space.neighbor({"a": 50, "b": 50}, rng(s), 0.01)
        assert new != {"a": 50, "b": 50}


@pytest.mark.parametrize(
    "grid",
    [
        {"b": [1, 2, 3], "a": ["x", "y"], "c": [None, True]},
        {"z": [0.1], "alpha": np.array([1, 2]), "kernel": ("rbf", "poly")},
        [{"kernel": ["linear"], "C": [1, 10]}, {"kernel": ["rbf"], "gamma": [1, 2, 3]}],
    ],
)
def test_grid_matches_parameter_grid(grid):
    space = check_space(grid)
    expected = list(ParameterGrid(grid))
    ours = space.grid()
    assert [p for _, p in ours] == expected
    assert space.cardinality == len(ParameterGrid(grid))
    assert not any(isinstance(v, np.generic) for _, p in ours for v in p.values())


def test_grid_of_dimensions_matches_lists():
    space = check_space({"n": Integer(1, 3), "w": Categorical(["u", "d"])})
    assert [p for _, p in space.grid()] == list(
        ParameterGrid({"n": [1, 2, 3], "w": ["u", "d"]})
    )
    with pytest.raises(ValueError, match=r"\['C'\] have infinitely many values"):
        Space({"C": Real(0, 1), "n": [1]}).grid()


# --------------------------------------------------------------------------
# SearchSpace


def make_search_space():
    return check_space(
        [
            {"kernel": ["linear"], "C": Real(0.1, 10)},
            {"kernel": ["rbf", "poly", "sigmoid"], "gamma": stats.loguniform(1e-3, 1)},
            {"n": Integer(1, 4)},
        ]
    )


def test_search_space_sizes_and_names():
    space = make_search_space()
    assert space.n_subspaces == 3
    assert space.n_features == 3 + (1 + 1) + (1 + 3) + 1
    assert space.n_unit_dims == 3
    assert space.cardinality is None
    assert space.param_names == ["C", "gamma", "kernel", "n"]
    single = check_space({"C": Real(0, 1), "k": ["a", "b", "c"]})
    assert single.n_features == 4  # no sub-space one-hot when there is one
    assert check_space([{"a": [1, 2]}, {"b": Integer(1, 3)}]).cardinality == 5


def test_search_space_transform_layout():
    space = make_search_space()
    cands = [
        (0, {"kernel": "linear", "C": 10.0}),
        (2, {"n": 1}),
        (1, {"kernel": "poly", "gamma": 1.0}),
    ]
    X = space.transform(cands)
    h = INACTIVE_VALUE
    np.testing.assert_allclose(
        X,
        [
            [1, 0, 0, 1.0, 0.0, h, h, h, h, h],
            [0, 0, 1, h, h, h, h, h, h, 0.125],
            [0, 1, 0, h, h, 1.0, 0, 1, 0, h],
        ],
    )
    with pytest.raises(ValueError, match=r"sub-space index must be in \[0, 3\)"):
        space.transform([(3, {"n": 1})])


def _shared_blocks_space():
    C = Real(0.1, 10, prior="log-uniform")
    gamma = Real(1e-3, 1, prior="log-uniform")
    return check_space(
        [
            {"kernel": ["linear"], "C": C},
            # an equal C, another object, named: shared all the same
            {"kernel": ["rbf"], "C": Real(0.1, 10, prior="log-uniform", name="C"),
             "gamma": gamma},
            # C defined otherwise: a block of its own; gamma the same: shared
            {"kernel": ["poly"], "C": Real(0.1, 1e3, prior="log-uniform"),
             "gamma": gamma, "degree": Integer(2, 5)},
        ]
    )  # fmt: skip


def test_search_space_shares_the_blocks_of_equal_dimensions():
    space = _shared_blocks_space()
    # one-hot of k, C (linear, rbf), kernel (linear), gamma (rbf, poly),
    # kernel (rbf), C (poly), degree, kernel (poly)
    assert space.n_features == 10
    # what a model searches: the two Cs, gamma, degree and the sub-space (each
    # kernel has one value); n_dims counts every sub-space's dimensions
    assert (space._n_model_dims, space.n_dims) == (5, 9)
    C = Real(0.1, 10, prior="log-uniform")
    assert check_space({"a": [1, 2], "b": [3], "c": C})._n_model_dims == 2
    X = space.transform(
        [
            (0, {"kernel": "linear", "C": 1.0}),
            (1, {"kernel": "rbf", "C": 10.0, "gamma": 1e-3}),
            (2, {"kernel": "poly", "C": 10.0, "gamma": 1.0, "degree": 5}),
        ]
    )
    h = INACTIVE_VALUE
    np.testing.assert_allclose(
        X,
        [
            [1, 0, 0, 0.5, 0, h, h, h, h, h],
            [0, 1, 0, 1.0, h, 0.0, 0, h, h, h],
            [0, 0, 1, h, h, 1.0, h, 0.5, 0.875, 0],
        ],
    )
    # a name given to the dimension does not leave it out of the sharing
    assert space.subspaces[1].dimensions[0].name == "C"


def test_search_space_rvs_picks_subspaces_uniformly():
    space = make_search_space()
    cands = space.rvs(3000, rng(1))
    assert cands == space.rvs(3000, rng(1))
    ks = np.array([k for k, _ in cands])
    assert np.all(np.abs(np.bincount(ks) / 3000 - 1 / 3) < 0.03)
    assert all(space.contains(c) for c in cands)
    assert all(set(p) == set(space.subspaces[k].names) for k, p in cands)


def test_search_space_from_unit_and_to_unit():
    space = make_search_space()
    U = np.array([[0.0, 1.0, 0.0], [0.5, 0.999, 0.7], [1.0, 0.0, 0.9]])
    cands = space.from_unit(U)
    assert cands[0] == (0, {"C": 10.0, "kernel": "linear"})
    assert cands[1][0] == 1 and cands[1][1]["kernel"] == "sigmoid"
    assert cands[2] == (2, {"n": 1})
    again = space.from_unit(space.to_unit(cands))
    assert [k for k, _ in again] == [0, 1, 2]
    assert again[0] == cands[0] and again[2] == cands[2]
    assert again[1][1]["gamma"] == pytest.approx(cands[1][1]["gamma"])
    U_back = space.to_unit(cands)
    np.testing.assert_allclose(U_back[:, 0], [1 / 6, 3 / 6, 5 / 6])  # cell centres
    assert U_back[2, 2] == INACTIVE_VALUE
    single = check_space({"a": Integer(0, 9)})
    assert single.from_unit([[0.9, 0.35]]) == [(0, {"a": 3})]


def test_search_space_neighbor_stays_in_subspace():
    space = make_search_space()
    for k, params in space.rvs(30, rng(4)):
        new_k, new = space.neighbor((k, params), rng(k), 0.1)
        assert new_k == k and space.contains((new_k, new))
        assert set(new) == set(params)


def test_search_space_equality_and_pickle():
    space = make_search_space()
    again = pickle.loads(pickle.dumps(space))
    assert again == space
    assert again.rvs(5, rng()) == space.rvs(5, rng())
    assert repr(space).startswith("SearchSpace([Space({")
    assert isinstance(space.subspaces[0].dimensions[0], Dimension)


# --------------------------------------------------------------------------
# Codes: the acquisition optimiser's dict-free form of candidates must give
# the candidates, encodings and random draws of the public methods.

CODES_SPACE = {
    "lr": Real(1e-3, 1.0, prior="log-uniform"),
    "l2": Real(-1.0, 1.0),
    "depth": Integer(1, 20),
    "leaf": Integer(2, 64, prior="log-uniform"),
    "crit": ["a", "b", "c"],
    "flag": [True, False],
    "gamma": stats.loguniform(1e-4, 1.0),
    "degree": stats.randint(2, 6),
    "tuple": [(1, 2), (3,), None],
    "const": [7],
    "legacy": LegacyUniform(),
}


def _codes_space():
    # lr is defined as CODES_SPACE's: one block of the encoding for both
    return check_space(
        [
            CODES_SPACE,
            {
                "kernel": ["linear"],
                "C": Real(0.1, 10.0),
                "lr": Real(1e-3, 1.0, prior="log-uniform"),
            },
        ]
    )


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("make", [_codes_space, _shared_blocks_space])
def test_codes_draw_and_encode_what_rvs_and_transform_give(make, seed):
    space = make()
    a, b = np.random.default_rng(seed), np.random.default_rng(seed)
    cands = space.rvs(40, a)
    parts = space._rvs_codes(40, b)
    assert a.bit_generator.state == b.bit_generator.state
    X = space.transform(cands)
    for k, positions, columns in parts:
        sub = space.subspaces[k]
        assert sub._params_of(columns, np.arange(len(positions))) == [
            cands[i][1] for i in positions
        ]
        np.testing.assert_array_equal(
            space._encode_codes(k, columns, len(positions)), X[positions]
        )
        # and back: codes of the dicts encode the same
        again = sub._codes([cands[i][1] for i in positions])
        np.testing.assert_array_equal(
            space._encode_codes(k, again, len(positions)), X[positions]
        )


@pytest.mark.parametrize("scale", [0.01, 0.2, 1.0])
def test_codes_neighbours_of_one_start_are_neighbors(scale):
    space = _codes_space()
    for cand in space.rvs(10, np.random.default_rng(1)):
        k, params = cand
        sub = space.subspaces[k]
        a, b = np.random.default_rng(2), np.random.default_rng(2)
        expected = sub.neighbors(params, a, scale, 25)
        columns = sub._neighbors_codes(sub._codes([params]), b, scale, 25)
        assert sub._params_of(columns, np.arange(25)) == expected
        assert a.bit_generator.state == b.bit_generator.state


def test_codes_neighbours_of_several_starts_stay_valid_and_near():
    space = check_space(CODES_SPACE)
    sub = space.subspaces[0]
    starts = space.rvs(6, np.random.default_rng(3))
    columns = sub._codes([p for _, p in starts])
    out = sub._neighbors_codes(columns, np.random.default_rng(4), 0.05, 30)
    moved = sub._params_of(out, np.arange(6 * 30))
    assert all(sub.contains(p) for p in moved)
    U0 = sub.to_unit([p for _, p in starts])
    U = sub.to_unit(moved).reshape(6, 30, -1)
    lr = sub.names.index("lr")
    # rows i * 30 ... are start i's neighbours: near it, not near the others
    near = np.abs(U[:, :, lr] - U0[:, None, lr])
    assert np.median(near) < 0.05

    # each neighbour changes few of its own start's values, many of another's
    def changed(p, q):
        return sum(p[name] != q[name] for name in sub.names)

    own = [changed(p, starts[i // 30][1]) for i, p in enumerate(moved)]
    other = [changed(p, starts[(i // 30 + 1) % 6][1]) for i, p in enumerate(moved)]
    assert np.median(own) <= 2 < np.median(other)


def _reflect(u):
    u = np.fmod(np.abs(u), 2.0)
    return np.where(u > 1.0, 2.0 - u, u)


def test_neighbours_draw_what_their_definition_says():
    # written out from the documented moves, not from the implementation:
    # one standard normal per neighbour for a range (then, for an integer, a
    # step of one in the direction of the draw when it lands on the start),
    # one uniform and one integer per neighbour for a category
    real, integer = Real(1e-3, 1e3, prior="log-uniform"), Integer(1, 50)
    cat = Categorical(["a", "b", "c", "d"])
    space = check_space({"c": real, "k": cat, "n": integer})
    sub = space.subspaces[0]
    start = {"c": 0.5, "k": "b", "n": 20}
    for scale in (0.001, 0.1, 0.6):
        rng = np.random.default_rng(7)
        moved = sub.neighbors(start, rng, scale, 40)
        ref = np.random.default_rng(7)
        chosen = ref.random((40, 3)) < 1.0 / 3
        idle = np.flatnonzero(~chosen.any(axis=1))
        chosen[idle, ref.integers(3, size=idle.size)] = True
        expected = [dict(start) for _ in range(40)]
        for column, name in enumerate(sub.names):  # sorted: c, k, n
            rows = np.flatnonzero(chosen[:, column])
            if name == "c":
                u0 = (math.log(0.5) - math.log(1e-3)) / (math.log(1e3) - math.log(1e-3))
                u = _reflect(u0 + scale * ref.standard_normal(rows.size))
                values = real.from_unit(u)
            elif name == "k":
                move = ref.random(rows.size) < min(1.0, 2.0 * scale)
                j = ref.integers(0, 3, size=rows.size)
                values = [
                    "abcd"[(jj + 1 if jj >= 1 else jj) if m else 1]
                    for m, jj in zip(move, j)
                ]
            else:
                z = ref.standard_normal(rows.size)
                u = _reflect((20 - 1 + 0.5) / 50 + scale * z)
                values = [int(v) for v in integer.from_unit(u)]
                values = [
                    v if v != 20 else 20 + (1 if zz > 0 else -1)
                    for v, zz in zip(values, z)
                ]
            for row, value in zip(rows, values):
                expected[row][name] = value
        assert len(moved) == 40
        for got, want in zip(moved, expected):
            assert got["k"] == want["k"] and got["n"] == want["n"]
            assert got["c"] == pytest.approx(want["c"], rel=1e-12)
        assert rng.bit_generator.state == ref.bit_generator.state


def test_integers_beyond_int64_and_2_to_the_53_stay_exact():
    assert Integer(0, 10**20).rvs(3, np.random.default_rng(0)) == [
        63696168732145434624,
        26978671376387031040,
        4097352393619468800,
    ]
    sub = check_space({"a": Integer(0, 2**60), "b": Real(0.0, 1.0)}).subspaces[0]
    moved = sub.neighbors({"a": 2**60 - 1, "b": 0.5}, np.random.default_rng(0), 0.1, 6)
    kept = [p["a"] for p in moved if p["a"] == 2**60 - 1]
    # the unmoved value exactly, not rounded through a float (to 2**60)
    assert kept and all(p["a"] < 2**60 for p in moved)


def test_real_neighbours_clip_their_start_and_refuse_nan():
    dim = Real(1.0, 10.0, prior="log-uniform")
    assert all(
        1.0 <= v < 1.5 for v in dim.neighbors(-1.0, np.random.default_rng(0), 0.1, 3)
    )
    with pytest.raises(ValueError, match="NaN"):
        Real(0.0, 1.0).neighbors(float("nan"), np.random.default_rng(0), 0.1, 3)
