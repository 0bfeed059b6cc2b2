"""scikit-learn's own search tests, run against BayesSearchCV.

Three test files of the installed scikit-learn are read at collection time and
executed as modules in which every use of the name ``RandomizedSearchCV`` is
rebound to :class:`skhpo.BayesSearchCV` (import lines, strings and comments are
left as they are; line numbers are kept, so tracebacks point into scikit-learn's
file):

- ``sklearn/model_selection/tests/test_search.py``;
- ``sklearn/tests/test_metaestimators_metadata_routing.py``: its
  ``RandomizedSearchCV`` entry of ``METAESTIMATORS`` becomes a BayesSearchCV
  entry;
- ``sklearn/tests/test_metaestimators.py``: ``DELEGATING_METAESTIMATORS`` is
  narrowed to its (rebound) ``RandomizedSearchCV`` entry, and the
  ``RandomizedSearchCV`` instance of ``DATA_VALIDATION_META_ESTIMATORS`` becomes a
  BayesSearchCV with the same parameters.

A test is kept when its definition, or a module-level definition it refers to,
names BayesSearchCV after the rebinding, or when one of its parametrizations
holds a BayesSearchCV; of a parametrization that holds one, only the cases that
do are kept. Nothing of scikit-learn is copied into this repository, so the tier
follows the installed release.

The tests not run are in :data:`DESELECTED`, the ones that run and must fail in
:data:`XFAIL`, the scikit-learn helpers adapted to BayesSearchCV's documented
extensions in :data:`ADAPTED`: each with its reason.
"""

from sklearn.model_selection import RandomizedSearchCV

from skhpo import BayesSearchCV

from ._conformance import (
    DELEGATION_TESTS,
    ROUTING_TESTS,
    Tier,
    threads_per_worker,  # noqa: F401 - autouse fixture
)

BAYES = BayesSearchCV.__name__
EXTRA_COLUMNS = ("batch", "propose_time", "proposed_by")

# Tests that name BayesSearchCV but check what it does differently by design:
# they run, and must fail. {test name: reason}
XFAIL = {
    "test_search_with_2d_array": (
        "expects the three candidates ParameterSampler(random_state=0) draws "
        "from the four-point grid, in its order; BayesSearchCV proposes its own"
    ),
}

# Tests that name BayesSearchCV but are not run. {test name: reason}
KNOWN_DIFFERENCES = {}

# scikit-learn test helpers adapted to BayesSearchCV. {helper name: reason}
ADAPTED = {
    "check_cv_results_keys": (
        "asserts the exact set of cv_results_ keys: BayesSearchCV's documented "
        "extra columns (batch, propose_time, proposed_by) are passed as the "
        "helper's extra_keys, as scikit-learn's halving tests pass theirs"
    ),
}


TIER = Tier(
    BayesSearchCV,
    RandomizedSearchCV,
    "skhpo_conformance",
    xfail=XFAIL,
    known_differences=KNOWN_DIFFERENCES,
)
# Every test of the three files that is not run, filled at collection:
# KNOWN_DIFFERENCES and the tests that never involve RandomizedSearchCV.
DESELECTED = TIER.deselected


TIER.load_search_tier(globals(), EXTRA_COLUMNS)


# ----------------------------------------------------------- the lists' care
def test_conformance_lists_are_current():
    """Every listed name exists, and every rebinding took place."""
    TIER.check_lists(globals())
    for name in ADAPTED:
        assert any(hasattr(module, name) for module in TIER.modules.values())
    delegation = TIER.modules[DELEGATION_TESTS]
    assert [d.name for d in delegation.DELEGATING_METAESTIMATORS] == [BAYES]
    routing = TIER.modules[ROUTING_TESTS]
    assert BayesSearchCV in [row["metaestimator"] for row in routing.METAESTIMATORS]
    assert RandomizedSearchCV not in [
        row["metaestimator"] for row in routing.METAESTIMATORS
    ]
