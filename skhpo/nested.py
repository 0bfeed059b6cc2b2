"""NestedCV: an unbiased score for a hyperparameter search."""

from __future__ import annotations

import os
import time
from collections import Counter
from contextlib import contextmanager
from numbers import Integral

import numpy as np
import pandas as pd
from joblib import Parallel, delayed, effective_n_jobs
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.utils import indexable
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ._base import BaseSearch
from ._engine import failed_scores
from ._log import PLAN, Say, duration, params_text, plural
from .storage import JournalError
from .utils._sklearn_compat import (
    HAS_CALLBACKS,
    BaseSearchCV,
    CallbackSupportMixin,
    HasMethods,
    MultimetricScorer,
    StrOptions,
    check_method_params,
    check_multimetric_scoring,
    fit_context,
    has_callbacks,
    propagate_callbacks,
    routing_enabled,
    safe_split,
)

__all__ = ["NestedCV"]


def _search_has(method):
    def check(self):
        fitted = getattr(self, "search_", None)
        return hasattr(fitted if fitted is not None else self.estimator, method)

    return check


class NestedCV(MetaEstimatorMixin, CallbackSupportMixin, BaseEstimator):
    """Outer cross-validation around a hyperparameter search.

    A search's ``best_score_`` is optimistic: it was selected on the folds it
    is measured on. ``NestedCV`` runs the whole search on each outer training
    fold and scores the model it refits on the outer test fold, which no part
    of the search saw: the mean of those scores estimates how well *the search
    procedure* does on new data (Cawley & Talbot, JMLR 2010).

    Parameters
    ----------
    estimator : search object
        Any scikit-learn search (skhpo's, ``GridSearchCV``,
        ``RandomizedSearchCV``, the halving searches) with ``refit`` not False:
        each outer fold scores the model it refits.

    cv : int, cross-validation generator or iterable, default=5
        The outer splits, as in :func:`~sklearn.model_selection.cross_validate`.
        At least 2.

    scoring : str, callable, list, tuple or dict, default=None
        Outer metric(s), as in ``cross_validate``; None uses the search's own
        ``score`` (its refit metric).

    n_jobs : int, default=None
        Workers shared by the outer folds and the inner fits: the outer folds
        run side by side as driver threads, each inner search with
        ``n_jobs=n_jobs`` on the same pool of processes, so that nesting never
        starts more than ``n_jobs`` workers. None runs everything in turn.
        The results are the same for every ``n_jobs`` when the inner
        search's are: a :class:`~skhpo.BayesSearchCV` needs its
        ``batch_size`` set, whose default depends on the number of workers.

    refit : bool, default=True
        Also fit the search on all the data after the outer loop: the fitted
        ``NestedCV`` then predicts with that search's best model, and reports
        ``optimism_``.

    return_train_score : bool, default=False
        Also score each outer fold's model on its training part.

    error_score : "raise" or float, default=np.nan
        Outer score of a fold whose search failed to fit or score.

    verbose : int, default=0
        Print one line per outer fold (its search's best parameters and
        inner score, and its outer test score) and the nested score at the
        end. The same messages are log records of the ``"skhpo.nested"``
        logger (INFO) whatever ``verbose``. The searches print what their
        own ``verbose`` asks.

    storage : str or path-like, default=None
        One SQLite file for every search of the nested run: each outer fold's
        search writes its evaluations under the scope ``"outer<k>"`` and the
        search on all the data under ``"all"``, so that ``fit`` called again
        with the same arguments resumes every one of them where it stopped
        (see ``storage`` of the skhpo searches). Needs one of skhpo's
        searches as ``estimator``, without a ``storage`` of its own.
        :func:`skhpo.load_results` reads a scope
        (``scope="outer0"``).

    Attributes
    ----------
    cv_results_ : dict of arrays
        Shaped like :func:`~sklearn.model_selection.cross_validate`'s return:
        ``fit_time``, ``score_time``, ``test_<metric>`` (``test_score`` for one
        metric), ``train_<metric>`` if asked, plus ``best_params`` (a list of
        each fold's ``best_params_``) and ``best_score`` (each inner search's
        ``best_score_``, NaN where it has none).

    mean_score_ : float
        Mean of the outer test scores (of the first metric when several are
        scored): the nested estimate of the search's performance.

    std_score_ : float
        Standard deviation of the same outer test scores.

    inner_cv_results_ : pandas.DataFrame
        Every outer fold's inner ``cv_results_`` in one table, with an
        ``outer_fold`` column first.

    stability_ : pandas.DataFrame
        One row per hyperparameter: the value each fold chose, how many
        distinct values were chosen, the most frequent one and the share of
        folds that chose it.

    search_ : search object
        The search fitted on all the data (if ``refit``).

    best_params_ : dict
        ``search_.best_params_`` (if ``refit``).

    optimism_ : float
        ``search_.best_score_ - mean_score_``: how much the non-nested score
        overstates the nested one, as scikit-learn's "nested versus non-nested
        cross-validation" example defines it (if ``refit`` and the search has a
        ``best_score_``).

    n_splits_ : int
        Number of outer folds.

    classes_ : ndarray of shape (n_classes,)
        The class labels of ``search_`` (if ``refit`` and the search is a
        classifier).

    n_features_in_ : int
        Number of features seen during ``fit``, that of ``search_`` (if
        ``refit`` and the search has it).

    feature_names_in_ : ndarray of shape (``n_features_in_``,)
        Names of the features seen during ``fit``, those of ``search_`` (if
        ``refit`` and ``X`` has string column names).

    See Also
    --------
    sklearn.model_selection.cross_validate : Nested CV by hand.
    skhpo.plotting.NestedCVDisplay : Each outer fold's inner against outer
        score.

    Notes
    -----
    ``groups`` and other fit parameters reach both the outer splitter and the
    inner search (indexed to the outer training part), with or without
    scikit-learn's metadata routing enabled. Without routing, ``groups`` goes
    to both splitters and every other parameter to the search's ``fit``; with
    routing, the search and the outer splitter receive what they request.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import GridSearchCV
    >>> from sklearn.svm import SVC
    >>> from skhpo import NestedCV
    >>> X, y = load_iris(return_X_y=True)
    >>> search = GridSearchCV(SVC(), {"C": [0.1, 1, 10]}, cv=3)
    >>> nested = NestedCV(search, cv=3).fit(X, y)
    >>> nested.cv_results_["test_score"].round(2)
    array([0.98, 0.98, 0.94])
    >>> print(f"nested score {nested.mean_score_:.2f}")
    nested score 0.97

    Each outer fold's search chose its own ``C``; ``fit`` then searched all
    the data, whose model predicts:

    >>> nested.stability_[["n_distinct", "most_chosen"]]
               n_distinct  most_chosen
    parameter
    C                   2           10
    >>> nested.best_params_
    {'C': 10}
    >>> nested.predict(X[:3])
    array([0, 0, 0])
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit"])],
        "cv": ["cv_object"],
        "scoring": [str, callable, list, tuple, dict, None],
        "n_jobs": [Integral, None],
        "refit": ["boolean"],
        "return_train_score": ["boolean"],
        "error_score": [StrOptions({"raise"}), float],
        "verbose": ["verbose"],
        "storage": [str, os.PathLike, None],
    }

    def __init__(
        self,
        estimator,
        *,
        cv=5,
        scoring=None,
        n_jobs=None,
        refit=True,
        return_train_score=False,
        error_score=np.nan,
        verbose=0,
        storage=None,
    ):
        self.estimator = estimator
        self.cv = cv
        self.scoring = scoring
        self.n_jobs = n_jobs
        self.refit = refit
        self.return_train_score = return_train_score
        self.error_score = error_score
        self.verbose = verbose
        self.storage = storage

    # ------------------------------------------------------------ checks
    def _check_search(self):
        search = self.estimator
        if not isinstance(search, BaseSearchCV):
            raise TypeError(
                "NestedCV wraps a hyperparameter search (a scikit-learn "
                "BaseSearchCV such as GridSearchCV or skhpo's searches), whose "
                f"fit sets best_params_; got {type(search).__name__}. To "
                "cross-validate a plain estimator, use "
                "sklearn.model_selection.cross_validate."
            )
        if search.refit is False:
            raise ValueError(
                f"The search's refit is False: {type(search).__name__} then has no "
                "model to score on the outer test folds. Set refit=True (or a "
                "metric name, or a callable)."
            )
        own = getattr(search, "storage", None)
        if own is not None and self.storage is None:
            raise ValueError(
                f"The search has storage={own!r}: each outer fold "
                "would write to that one journal with other data. Set "
                "NestedCV(storage=...) instead: it gives every fold its own "
                "scope in one file."
            )
        if own is not None:
            raise ValueError(
                f"Both NestedCV (storage={self.storage!r}) and its search "
                f"(storage={own!r}) have a storage; NestedCV's would replace the "
                "search's. Set it on NestedCV only: it gives every fold its own "
                "scope in one file."
            )
        if self.storage is not None and not isinstance(search, BaseSearch):
            raise ValueError(
                f"storage={self.storage!r} needs one of skhpo's searches as "
                f"estimator (they write to it); got {type(search).__name__}."
            )

    def _check_inner_callbacks(self):
        """scikit-learn refuses to hand callbacks to an estimator that has
        auto-propagated ones of its own: say so before any fold runs."""
        own = [
            type(c).__name__
            for c in getattr(self.estimator, "_skl_callbacks", [])
            if hasattr(c, "max_propagation_depth")
        ]
        if own:
            raise ValueError(
                f"Both NestedCV and its search have callbacks that pass down "
                f"to the estimators they fit (the search's: {own}): set them "
                "on NestedCV only, which hands them to every search."
            )

    def _search(self, n_jobs, scope):
        """A fresh clone of the search, writing to ``scope`` of the storage."""
        search = clone(self.estimator).set_params(n_jobs=n_jobs)
        if self.storage is not None:
            search.set_params(storage=self.storage)
            search._storage_scope = scope
        return search

    def _scorer(self):
        if self.scoring is None:
            return check_scoring(self.estimator)
        if isinstance(self.scoring, (list, tuple, set, dict)):
            scorers = check_multimetric_scoring(self.estimator, self.scoring)
            return MultimetricScorer(scorers=scorers)
        return check_scoring(self.estimator, self.scoring)

    def _split_params(self, params):
        """``(outer splitter's params, search's fit params)``."""
        if routing_enabled():
            routed = process_routing(self, "fit", **params)
            return routed.splitter.split, routed.estimator.fit
        groups = params.get("groups")
        return ({} if groups is None else {"groups": groups}), params

    # --------------------------------------------------------------- fit
    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, **params):
        """Run the search on each outer training fold and score it outside.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, split by the outer ``cv``; each outer training
            part is the data of one search.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Target, split with ``X``; None for unsupervised learning.
        **params : dict
            Fit parameters: ``groups`` and anything the search's ``fit`` takes
            (see the Notes on routing).

        Returns
        -------
        self : NestedCV
            The fitted instance.
        """
        self._check_search()
        X, y = indexable(X, y)
        params = check_method_params(X, params=params)
        split_params, search_params = self._split_params(params)
        cv = check_cv(self.cv, y, classifier=is_classifier(self.estimator))
        n_splits = cv.get_n_splits(X, y, **split_params)
        if n_splits < 2:
            raise ValueError(
                f"NestedCV needs at least 2 outer folds, cv gives {n_splits}."
            )
        splits = list(cv.split(X, y, **split_params))
        scorer = self._scorer()

        # callbacks (a progress bar): one task per outer fold and the refit,
        # each the root of its search's own tasks
        root_ctx, contexts, refit_ctx = None, [None] * len(splits), None
        if HAS_CALLBACKS and has_callbacks(self):
            root_ctx = self._init_callback_context(
                max_subtasks=len(splits) + bool(self.refit)
            ).call_on_fit_task_begin(estimator=self, X=X, y=y)
            self._check_inner_callbacks()  # (set up: scikit-learn tears down)
            contexts = [root_ctx.subcontext(task_name="outer-fold") for _ in splits]
            if self.refit:
                refit_ctx = root_ctx.subcontext(task_name="refit-on-all-data")

        say = Say("skhpo.nested", type(self).__name__, self.verbose)
        started = time.monotonic()
        workers = effective_n_jobs(self.n_jobs)
        outer = max(1, min(workers, len(splits)))
        inner_jobs = self.n_jobs if workers > 1 else None
        folds = Parallel(n_jobs=outer, backend="threading")(
            delayed(_fit_and_score_search)(
                self._search(inner_jobs, f"outer{index}"),
                X,
                y,
                train,
                test,
                search_params,
                scorer,
                self.return_train_score,
                self.error_score,
                say,
                (index, len(splits)),
                contexts[index],
                self,
            )
            for index, (train, test) in enumerate(splits)
        )
        self.n_splits_ = len(splits)
        self._store(folds)

        if self.refit:
            self.search_ = self._search(self.n_jobs, "all")
            with _task(refit_ctx, self, self.search_, X, y):
                self.search_.fit(X, y, **search_params)
            self.best_params_ = self.search_.best_params_
            if hasattr(self.search_, "best_score_"):
                self.optimism_ = float(self.search_.best_score_ - self.mean_score_)
            if hasattr(self.search_, "n_features_in_"):
                self.n_features_in_ = self.search_.n_features_in_
            if hasattr(self.search_, "feature_names_in_"):
                self.feature_names_in_ = self.search_.feature_names_in_
        optimism = (
            f"; optimism +{self.optimism_:.4f}".replace("+-", "-")
            if hasattr(self, "optimism_")
            else ""
        )
        say(
            PLAN,
            f"[{type(self).__name__}] done in "
            f"{duration(time.monotonic() - started)}: nested score="
            f"{self.mean_score_:.4f} ± {self.std_score_:.4f} over "
            f"{plural(self.n_splits_, 'outer fold')}{optimism}"
            + (
                " (a fold failed: the score is NaN)"
                if np.isnan(self.mean_score_)
                else ""
            ),
        )
        if root_ctx is not None:
            root_ctx.call_on_fit_task_end(estimator=self, X=X, y=y)
        return self

    def _store(self, folds):
        names = list(folds[0]["test"]) if isinstance(folds[0]["test"], dict) else None
        results = {
            "fit_time": np.array([f["fit_time"] for f in folds]),
            "score_time": np.array([f["score_time"] for f in folds]),
        }
        for kind in ("test", "train") if self.return_train_score else ("test",):
            if names is None:
                results[f"{kind}_score"] = np.array([f[kind] for f in folds], float)
            else:
                for name in names:
                    results[f"{kind}_{name}"] = np.array(
                        [f[kind][name] for f in folds], float
                    )
        results["best_params"] = [f["best_params"] for f in folds]
        results["best_score"] = np.array([f["best_score"] for f in folds], float)
        self.cv_results_ = results
        main = results["test_score" if names is None else f"test_{names[0]}"]
        self.mean_score_ = float(np.mean(main))
        self.std_score_ = float(np.std(main))
        frames = [
            pd.DataFrame(f["inner"]).assign(outer_fold=i)
            for i, f in enumerate(folds)
            if f["inner"] is not None
        ]
        inner = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        if "outer_fold" in inner:
            inner = inner[["outer_fold", *[c for c in inner if c != "outer_fold"]]]
        self.inner_cv_results_ = inner
        self.stability_ = _stability(results["best_params"])

    # ---------------------------------------------------------- routing
    def get_metadata_routing(self):
        """Get metadata routing of this object.

        ``fit``'s parameters go to the search's ``fit`` and to the outer
        splitter's ``split``, as each requests them.

        Returns
        -------
        routing : MetadataRouter
            A :class:`~sklearn.utils.metadata_routing.MetadataRouter`
            encapsulating routing information.
        """
        return (
            MetadataRouter(owner=self.__class__.__name__)
            .add(
                estimator=self.estimator,
                method_mapping=MethodMapping().add(caller="fit", callee="fit"),
            )
            .add(
                splitter=check_cv(self.cv),
                method_mapping=MethodMapping().add(caller="fit", callee="split"),
            )
        )

    # ------------------------------------------------------- delegation
    @available_if(_search_has("predict"))
    def predict(self, X):
        """Predict with the search refit on all the data.

        Available when the search has ``predict``; needs ``refit=True``
        (the search fitted on all the data, ``search_``).

        Parameters
        ----------
        X : indexable, length n_samples
            Data to predict on, in the form the search's best estimator
            takes.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            The predictions of ``search_``'s best estimator.
        """
        check_is_fitted(self, "search_")
        return self.search_.predict(X)

    @available_if(_search_has("predict_proba"))
    def predict_proba(self, X):
        """Predict class probabilities with the search refit on all the data.

        Available when the search has ``predict_proba``; needs ``refit=True``
        (the search fitted on all the data, ``search_``).

        Parameters
        ----------
        X : indexable, length n_samples
            Data to predict on, in the form the search's best estimator
            takes.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The class probabilities of ``search_``'s best estimator, the
            columns in the order of ``classes_``.
        """
        check_is_fitted(self, "search_")
        return self.search_.predict_proba(X)

    @available_if(_search_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Predict log class probabilities with the search refit on all the data.

        Available when the search has ``predict_log_proba``; needs ``refit=True``
        (the search fitted on all the data, ``search_``).

        Parameters
        ----------
        X : indexable, length n_samples
            Data to predict on, in the form the search's best estimator
            takes.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The log class probabilities of ``search_``'s best estimator, the
            columns in the order of ``classes_``.
        """
        check_is_fitted(self, "search_")
        return self.search_.predict_log_proba(X)

    @available_if(_search_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the search refit on all the data.

        Available when the search has ``decision_function``; needs ``refit=True``
        (the search fitted on all the data, ``search_``).

        Parameters
        ----------
        X : indexable, length n_samples
            Data to predict on, in the form the search's best estimator
            takes.

        Returns
        -------
        y_score : ndarray of shape (n_samples,) or (n_samples, n_classes) \
                or (n_samples, n_classes * (n_classes-1) / 2)
            The decision function of ``search_``'s best estimator.
        """
        check_is_fitted(self, "search_")
        return self.search_.decision_function(X)

    @available_if(_search_has("transform"))
    def transform(self, X):
        """Transform with the search refit on all the data.

        Available when the search has ``transform``; needs ``refit=True``
        (the search fitted on all the data, ``search_``).

        Parameters
        ----------
        X : indexable, length n_samples
            Data to transform, in the form the search's best estimator
            takes.

        Returns
        -------
        Xt : {ndarray, sparse matrix} of shape (n_samples, n_features)
            ``X`` transformed by ``search_``'s best estimator.
        """
        check_is_fitted(self, "search_")
        return self.search_.transform(X)

    @available_if(_search_has("score"))
    def score(self, X, y=None, **params):
        """Score of the search refit on all the data.

        Available when the search has ``score``; needs ``refit=True``
        (the search fitted on all the data, ``search_``). This is the
        search's own ``score``, which uses its ``scoring`` (its ``refit``
        metric when several), not ``NestedCV``'s.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
            Target relative to ``X``; None for unsupervised learning.
        **params : dict
            Parameters passed to the search's ``score``, for its scorer
            (with metadata routing enabled, as scikit-learn's searches).

        Returns
        -------
        score : float
            The score of ``search_`` on ``X`` and ``y``.
        """
        check_is_fitted(self, "search_")
        return self.search_.score(X, y, **params)

    @property
    def classes_(self):
        """Class labels of the search refit on all the data.

        Only available when ``refit=True`` and the search is a classifier.
        """
        check_is_fitted(self, "search_")
        return self.search_.classes_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = self.estimator.__sklearn_tags__()
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = inner.classifier_tags
        tags.regressor_tags = inner.regressor_tags
        tags.input_tags.pairwise = inner.input_tags.pairwise
        tags.input_tags.sparse = inner.input_tags.sparse
        return tags


@contextmanager
def _task(ctx, caller, search, X, y):
    """The callbacks' task ``ctx`` of ``caller`` (None: no callbacks) around
    the fit of ``search``, which its own tasks join."""
    if ctx is None:
        yield
        return
    with propagate_callbacks(ctx, search):
        ctx.call_on_fit_task_begin(estimator=caller, X=X, y=y)
        try:
            yield
        finally:
            ctx.call_on_fit_task_end(estimator=caller, X=X, y=y)


def _fit_and_score_search(
    search,
    X,
    y,
    train,
    test,
    params,
    scorer,
    return_train,
    error_score,
    say,
    position,
    ctx=None,
    caller=None,
):
    """Fit ``search`` on one outer training part and score it on the test part."""
    fit_params = check_method_params(X, params=params, indices=train)
    out = {"inner": None, "best_params": None, "best_score": np.nan}
    start = time.time()  # the split counts as fit time, as in cross_validate
    X_train, y_train = safe_split(search, X, y, train)
    X_test, y_test = safe_split(search, X, y, test, train)
    try:
        with _task(ctx, caller, search, X_train, y_train):
            search.fit(X_train, y_train, **fit_params)
    except JournalError:
        raise
    except Exception as exc:
        if error_score == "raise":
            raise
        failed = failed_scores(scorer, error_score)
        out.update(
            fit_time=time.time() - start, score_time=0.0, test=failed, train=failed
        )
        i, n = position
        say(
            PLAN,
            f"[NestedCV {i + 1}/{n}] END outer fold: its search failed "
            f"({type(exc).__name__}: {exc}); scored error_score={error_score!r}",
        )
        return out
    out["fit_time"] = time.time() - start
    out["inner"] = search.cv_results_
    out["best_params"] = search.best_params_
    out["best_score"] = float(getattr(search, "best_score_", np.nan))
    start = time.time()
    out["test"] = _score(scorer, search, X_test, y_test)
    out["score_time"] = time.time() - start
    if return_train:
        out["train"] = _score(scorer, search, X_train, y_train)
    main = out["test"]
    if isinstance(main, dict):
        name, main = next(iter(main.items()))
    else:
        name = "score"
    i, n = position
    say(
        PLAN,
        f"[NestedCV {i + 1}/{n}] END outer fold: best_params="
        f"{{{params_text(search.best_params_)}}}, inner best score="
        f"{out['best_score']:.4f}, "
        f"outer test {name}={main:.4f}; fit time {duration(out['fit_time'])}",
    )
    return out


def _score(scorer, estimator, X, y):
    if y is None:
        return scorer(estimator, X)
    return scorer(estimator, X, y)


def _stability(best_params):
    """Per hyperparameter: each fold's choice and how often the mode won."""
    chosen = [p for p in best_params if p is not None]
    names = sorted({name for params in chosen for name in params})
    rows = []
    for name in names:
        values = [params.get(name) for params in chosen]
        counts = Counter(repr(v) for v in values)
        mode_repr, mode_count = counts.most_common(1)[0]
        mode = next(v for v in values if repr(v) == mode_repr)
        rows.append(
            {
                "parameter": name,
                "chosen": values,
                "n_distinct": len(counts),
                "most_chosen": mode,
                "share": mode_count / len(values),
            }
        )
    frame = pd.DataFrame(
        rows, columns=["parameter", "chosen", "n_distinct", "most_chosen", "share"]
    )
    return frame.set_index("parameter")
