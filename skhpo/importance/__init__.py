"""Which hyperparameters mattered, and is the best candidate really better?

Functions of ``cv_results_``: they work for scikit-learn's searches as well
as for skhpo's.

- :func:`importance_report`: functional ANOVA of a tree surrogate (main
  effects, pairwise interactions, marginal curves), in the measure each
  hyperparameter was sampled in.
- :func:`compare_candidates`: the corrected resampled t-test of the best
  candidate against the runners-up, with the naive test beside it.
- :func:`skhpo.diagnose`: the red flags of a finished search (a best value at the
  edge of its range, untried categories, failures, candidates within noise,
  defaults not beaten, an unstable winner, rungs that disagree, a collapsed
  population), each with its advice.
- :func:`skhpo.reevaluate`: the best candidates cross-validated again with new
  seeds and splits, and tested against the best, so that the final choice
  is not one lucky run.
"""

from ._compare import compare_candidates
from ._diagnose import diagnose
from ._inputs import SearchRangeEdgeWarning
from ._reevaluate import reevaluate
from ._report import importance_report

__all__ = [
    "SearchRangeEdgeWarning",
    "compare_candidates",
    "diagnose",
    "importance_report",
    "reevaluate",
]
