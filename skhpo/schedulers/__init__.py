"""Search policies: the finished history in, the next trials out.

Every search is a policy (:class:`Policy`) run by the engine's one loop. A
policy sees no estimator, data, worker, file or clock: only the scores of the
trials it asked for. :mod:`._bayes` is Bayesian optimisation, :mod:`._hyperband`
Hyperband and ASHA (with :mod:`._sampler`'s model-based candidates), and
:mod:`._pbt` population-based training.
"""

from ._base import Policy, Trial
from ._bayes import BayesPolicy
from ._hyperband import (
    AsyncHyperbandPolicy,
    AsyncSuccessiveHalving,
    Bracket,
    HyperbandPolicy,
    Rung,
    SuccessiveHalving,
    hyperband_brackets,
    int_log,
)
from ._pbt import AsyncPBTPolicy, ExploitExplore, PBTPolicy, perturb
from ._sampler import CandidateSampler

__all__ = [
    "AsyncHyperbandPolicy",
    "AsyncPBTPolicy",
    "AsyncSuccessiveHalving",
    "BayesPolicy",
    "Bracket",
    "CandidateSampler",
    "ExploitExplore",
    "HyperbandPolicy",
    "PBTPolicy",
    "Policy",
    "Rung",
    "SuccessiveHalving",
    "Trial",
    "hyperband_brackets",
    "int_log",
    "perturb",
]
