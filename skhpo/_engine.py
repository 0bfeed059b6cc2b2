"""The one door to compute.

Every fit a search makes goes through :class:`Evaluator`: the candidates a search
chooses are turned into fit-and-score tasks on frozen CV splits and run through
joblib, so ``joblib.parallel_config(backend="dask")`` moves them to a cluster.

Two schedules share one loop (:meth:`Evaluator.run`):

- *lagged*: candidate ``k`` is proposed once candidates ``0 .. k - lag`` have
  finished, while the ``lag - 1`` candidates before it may still run. Each
  candidate's folds are one joblib call returning a generator
  (``return_as="generator"``); several such calls are open at once on the same
  workers (loky's executor, a dask cluster), so a worker that frees takes the
  next queued fold of any running candidate. The proposal for ``k`` never
  depends on which fit finished first, so results are the same for every
  ``n_jobs``. Backends whose instances each own a pool (threading,
  multiprocessing) run one call at a time, which gives the same results;
- with one worker the same loop runs the candidates one after the other in the
  driver.

A task is a plain function run in a worker. :func:`fit_and_score` is the
stateless task of every search; searches that keep a model between steps add
their own task functions and reuse :meth:`Evaluator.run`.
"""

from __future__ import annotations

import functools
import os
import pickle
import queue
import shutil
import tempfile
import threading
import time
import warnings
from collections import deque
from contextlib import contextmanager
from traceback import format_exc

import joblib
import numpy as np

try:  # joblib >= 1.5 depends on cloudpickle; before, it carried its own
    import cloudpickle
except ImportError:  # pragma: no cover
    from joblib.externals import cloudpickle
from joblib import Parallel, delayed, effective_n_jobs
from joblib.parallel import get_active_backend
from sklearn.base import TransformerMixin, clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import Pipeline
from sklearn.utils import get_tags

from ._mutable import apply_update
from .utils._sklearn_compat import (
    MultimetricScorer,
    check_method_params,
    safe_split,
    score,
)

__all__ = [
    "CandidateResult",
    "Evaluator",
    "Job",
    "PartialFitEpochs",
    "Refit",
    "WarmStart",
    "fit_and_score",
]


def _failed_scores(scorer, error_score):
    if isinstance(scorer, MultimetricScorer):
        return {name: error_score for name in scorer._scorers}
    return error_score


def fit_and_score(
    estimator,
    X,
    y,
    *,
    scorer,
    train,
    test,
    parameters,
    fit_params,
    score_params,
    return_train_score,
    error_score,
    callback_ctx=None,
    caller=None,
    trainer=None,
    fold=None,
    pack_state=False,
):
    """Fit ``estimator`` with ``parameters`` on one fold and score it.

    ``trainer`` (one of this module's trainers, default :class:`Refit`) says how
    to train: a plain ``fit``, or a continuation of a model kept from an earlier
    step (``warm_start``, ``partial_fit`` epochs), in which case ``estimator``
    is that model and the trained model is returned as ``state``.

    ``fold``, if given, is ``(X_train, y_train, X_test, y_test)``: this split's
    parts already cut (see :meth:`Evaluator._shared_data`); ``X`` and ``y``
    may then be :class:`OnDisk`, opened only if needed (a pairwise estimator
    cuts its kernel from ``X``; fit and score parameters are cut as ``X``).
    ``estimator`` may be a :class:`Packed` model, and with ``pack_state`` the
    kept model is returned packed.

    Returns
    -------
    result : dict
        ``test_scores`` (number or dict), ``train_scores`` (if asked),
        ``n_test_samples``, ``fit_time``, ``score_time``, ``fit_error``
        (the formatted traceback of a failed fit, else None) and ``state`` (the
        trained model when the trainer keeps it, else None).
    """
    trainer = _REFIT if trainer is None else trainer
    if isinstance(estimator, Packed):
        estimator = estimator.load()
    if parameters is not None:
        # clone the values too: estimators may be searched over
        estimator = estimator.set_params(**clone(parameters, safe=False))
    fit_params = fit_params if fit_params is not None else {}
    score_params = score_params if score_params is not None else {}
    use_fold = fold is not None and not get_tags(estimator).input_tags.pairwise
    if not use_fold or fit_params or score_params:
        X, y, train, test = (OnDisk.opened(v) for v in (X, y, train, test))
    fit_params = check_method_params(X, params=fit_params, indices=train)
    score_params_train = check_method_params(X, params=score_params, indices=train)
    score_params_test = check_method_params(X, params=score_params, indices=test)

    if use_fold:
        X_train, y_train, X_test, y_test = (OnDisk.opened(v) for v in fold)
    else:
        X_train, y_train = safe_split(estimator, X, y, train)
        X_test, y_test = safe_split(estimator, X, y, test, train)
    metadata = (
        {"sample_weight": fit_params["sample_weight"]}
        if fit_params.get("sample_weight") is not None
        else None
    )
    result = {"n_test_samples": len(test), "state": None}
    start = time.time()
    try:
        if callback_ctx is not None:
            with callback_ctx.propagate_callback_context(estimator):
                callback_ctx.call_on_fit_task_begin(
                    estimator=caller, X=X_train, y=y_train, metadata=metadata
                )
                trainer.train(estimator, X_train, y_train, fit_params)
        else:
            trainer.train(estimator, X_train, y_train, fit_params)
    except Exception:
        if error_score == "raise":
            raise
        result["fit_time"] = time.time() - start
        result["score_time"] = 0.0
        result["test_scores"] = _failed_scores(scorer, error_score)
        if return_train_score:
            result["train_scores"] = _failed_scores(scorer, error_score)
        result["fit_error"] = format_exc()
    else:
        result["fit_error"] = None
        result["fit_time"] = time.time() - start
        result["test_scores"] = score(
            estimator, X_test, y_test, scorer, score_params_test, error_score
        )
        result["score_time"] = time.time() - start - result["fit_time"]
        if return_train_score:
            result["train_scores"] = score(
                estimator, X_train, y_train, scorer, score_params_train, error_score
            )
        if trainer.keeps_state:
            result["state"] = Packed.of(estimator) if pack_state else estimator
    finally:
        if callback_ctx is not None:
            callback_ctx.call_on_fit_task_end(
                estimator=caller, X=X_train, y=y_train, metadata=metadata
            )
    return result


class OnDisk:
    """An array in a file, which each task maps for itself when it needs it.

    Tasks carry these instead of arrays (see :meth:`Evaluator._shared_data`):
    a task maps the file only if it reads the array, and each task gets a map
    of its own, so what a fit writes into a copy-on-write map (``mode="c"``)
    no other task sees, even one unpickled from the same joblib batch. The
    search itself holds no map open.
    """

    __slots__ = ("path", "dtype", "shape", "order", "offset", "mode")

    def __init__(self, path, dtype, shape, order="C", offset=0, mode="r"):
        self.path = path
        self.dtype = dtype
        self.shape = shape
        self.order = order
        self.offset = offset
        self.mode = mode

    @classmethod
    def write(cls, array, path, mode):
        """Write ``array`` (C order) to ``path``, to be mapped with ``mode``."""
        array = np.ascontiguousarray(array)
        array.tofile(path)
        return cls(path, array.dtype, array.shape, "C", 0, mode)

    @classmethod
    def of_map(cls, array, mode):
        """The file behind the memory map ``array``."""
        order = "C" if array.flags.c_contiguous else "F"
        return cls(array.filename, array.dtype, array.shape, order, array.offset, mode)

    def __len__(self):
        return self.shape[0]

    @staticmethod
    def opened(value):
        """``value`` itself, or the array it stands for, freshly mapped."""
        if type(value) is not OnDisk:
            return value
        return np.memmap(
            value.path,
            dtype=value.dtype,
            mode=value.mode,
            offset=value.offset,
            shape=value.shape,
            order=value.order,
        )


class Packed:
    """A kept model, pickled in the worker that trained it.

    A model continued step after step by process or cluster workers goes to
    the driver and back at every step. joblib's pickler visits each of its
    arrays in Python; pickled once by the standard pickler, it crosses both
    ways as one ``bytes`` object, and the driver copies it (an exploit) for
    free. Models only cloudpickle can pickle (a ``lambda`` in a Pipeline) are
    pickled with it.
    """

    __slots__ = ("data",)

    def __init__(self, data):
        self.data = data

    @classmethod
    def of(cls, estimator):
        try:
            return cls(pickle.dumps(estimator, protocol=5))
        except Exception:  # a lambda or a local class: cloudpickle's to handle
            return cls(cloudpickle.dumps(estimator, protocol=5))

    def load(self):
        return pickle.loads(self.data)

    @property
    def nbytes(self):
        return len(self.data)

    def __deepcopy__(self, memo):
        return self  # immutable: a copy is the same bytes


def _fit(estimator, X, y, fit_params):
    if y is None:
        estimator.fit(X, **fit_params)
    else:
        estimator.fit(X, y, **fit_params)


# ------------------------------------------------------------------ trainers
# How a task trains its model. Each is a small picklable object sent with the
# task; ``keeps_state`` trainers return the model so that the next step of the
# same candidate continues it instead of starting over.


class Refit:
    """A plain ``fit`` of a fresh clone (the stateless task)."""

    keeps_state = False

    def train(self, estimator, X, y, fit_params):
        _fit(estimator, X, y, fit_params)


_REFIT = Refit()


class WarmStart:
    """Grow an integer parameter of a ``warm_start`` estimator from ``start`` to
    ``stop`` units, training only what is added.

    ``cumulative``: the parameter counts everything trained so far
    (``n_estimators`` of an ensemble, ``max_iter`` of histogram gradient
    boosting), so it is set to ``stop``; otherwise each ``fit`` runs the
    parameter's value more iterations (``max_iter`` of SGD and MLP), so it is
    set to ``stop - start``. In a Pipeline the steps before the last are fitted
    on the first step only; later steps continue the last step alone.
    """

    keeps_state = True

    def __init__(self, name, start, stop, cumulative):
        self.name = name
        self.start = start
        self.stop = stop
        self.cumulative = cumulative

    def train(self, estimator, X, y, fit_params):
        value = self.stop if self.cumulative else self.stop - self.start
        short = self.name.rpartition("__")[2]
        if self.start == 0:
            estimator.set_params(
                **{self.name: value, sibling(self.name, "warm_start"): True}
            )
            final, params = estimator, fit_params
        else:
            final, X, params = _through_head(estimator, X, y, fit_params, fit=False)
            final.set_params(**{short: value})
        with warnings.catch_warnings():
            # small budgets are not meant to converge
            warnings.simplefilter("ignore", ConvergenceWarning)
            _fit(final, X, y, params)


class PartialFitEpochs:
    """Train ``stop - start`` more epochs, one ``partial_fit`` call over the
    fold's training part each.

    For a Pipeline the steps before the last are fitted once, on the first
    step, and only transform afterwards. Classifiers get ``classes`` on every
    call unless the fit parameters carry them.
    """

    keeps_state = True

    def __init__(self, start, stop, classes=None):
        self.start = start
        self.stop = stop
        self.classes = classes

    def train(self, estimator, X, y, fit_params):
        final, X, params = _through_head(
            estimator, X, y, fit_params, fit=self.start == 0
        )
        params = dict(params)
        if self.classes is not None and "classes" not in params:
            params["classes"] = self.classes
        for _ in range(self.stop - self.start):
            if y is None:
                final.partial_fit(X, **params)
            else:
                final.partial_fit(X, y, **params)


def sibling(name, param):
    """The name of ``param`` of the estimator that owns parameter ``name``
    (``step__warm_start`` for ``step__n_estimators``)."""
    owner = name.rpartition("__")[0]
    return f"{owner}__{param}" if owner else param


class Continue:
    """Change hyperparameters of a continued model, then train it on.

    For population-based training: ``update`` is set on the model (and
    passed on to its internals, see :func:`skhpo._mutable.apply_update`)
    before ``trainer`` (a :class:`WarmStart` or :class:`PartialFitEpochs`)
    trains the next step.
    """

    keeps_state = True

    def __init__(self, update, trainer):
        self.update = update
        self.trainer = trainer

    def train(self, estimator, X, y, fit_params):
        apply_update(estimator, self.update)
        self.trainer.train(estimator, X, y, fit_params)


def _through_head(estimator, X, y, fit_params, *, fit):
    """``(final step, its input, its fit parameters)`` of a (nested) Pipeline.

    The steps before the final one are fitted on ``X`` (``fit=True``) or only
    transform it, unless one of them transforms its training data differently
    when fitting (``fit_transform`` is not ``fit`` then ``transform``, as in
    ``TargetEncoder``): then they are fitted again, so that the final step
    always trains on what a fit of the whole Pipeline would give it. Fit
    parameters are checked and split as ``Pipeline.fit`` does (``step__param``,
    or the steps' requests under metadata routing).
    """
    while isinstance(estimator, Pipeline):
        routed = estimator._check_method_params(method="fit", props=fit_params)
        refit_head = fit or not _plain_head(estimator)
        for name, step in estimator.steps[:-1]:
            if step is None or step == "passthrough":
                continue
            params = _step_params(routed, name)
            if not refit_head:
                X = step.transform(X)
            elif hasattr(step, "fit_transform"):
                X = step.fit_transform(X, y, **params.get("fit_transform", {}))
            else:
                X = step.fit(X, y, **params.get("fit", {})).transform(X)
        name, estimator = estimator.steps[-1]
        fit_params = _step_params(routed, name).get("fit", {})
    return estimator, X, fit_params


def _step_params(routed, name):
    try:
        return routed[name]
    except (KeyError, AttributeError):  # a passthrough step has no entry
        return {}


def _plain_head(pipeline):
    """Whether the steps before the last transform their training data as they
    transform new data (``fit_transform`` is ``fit`` then ``transform``)."""
    return all(_plain_step(step) for _, step in pipeline.steps[:-1])


def _plain_step(step):
    if step is None or step == "passthrough":
        return True
    if isinstance(step, Pipeline):
        return all(_plain_step(inner) for _, inner in step.steps)
    method = getattr(type(step), "fit_transform", None)
    return method is None or method is TransformerMixin.fit_transform


class CandidateResult:
    """What one candidate's evaluation produced: its folds' outputs and extras."""

    __slots__ = ("params", "out", "extra", "states")

    def __init__(self, params, out, extra, states=None):
        self.params = params
        self.out = out
        self.extra = extra
        self.states = states  # the trained model of each fold, if kept

    @property
    def failed(self):
        """Whether a fit failed on any fold (its scores are ``error_score``)."""
        return any(o["fit_error"] is not None for o in self.out)

    def test_scores(self):
        """The test scores of the first fold that fitted, or None."""
        return next(
            (o["test_scores"] for o in self.out if o["fit_error"] is None), None
        )

    def mean_test(self, metric):
        """Mean test score of ``metric`` over the folds; NaN for a failure.

        A candidate is a failure when a fit failed or its mean is not finite.
        """
        if self.failed:
            return np.nan
        scores = [
            o["test_scores"][metric]
            if isinstance(o["test_scores"], dict)
            else o["test_scores"]
            for o in self.out
        ]
        value = float(np.mean(np.asarray(scores, dtype=float)))
        return value if np.isfinite(value) else np.nan


# backends whose instances share one pool of workers (loky's reusable executor,
# a dask cluster): several calls may be open at once without oversubscribing
_SHARED_POOL_BACKENDS = ("LokyBackend", "DaskDistributedBackend")


def _backend_factory():
    """A maker of new instances of the active joblib backend, or None.

    Several joblib calls are kept open at once, each with its own backend
    instance (an instance holds per-call state) over the same pool of workers.
    None means the backend cannot do that: one call at a time.
    """
    backend, _ = get_active_backend()
    name = type(backend).__name__
    if name not in _SHARED_POOL_BACKENDS:
        return None
    if name == "DaskDistributedBackend":
        client, timeout = backend.client, backend.wait_for_workers_timeout
        return lambda: type(backend)(client=client, wait_for_workers_timeout=timeout)
    return lambda: type(backend)(
        nesting_level=backend.nesting_level,
        inner_max_num_threads=backend.inner_max_num_threads,
    )


#: Backends whose workers are processes of this machine: they can share a
#: memory-mapped file.
_LOCAL_PROCESS_BACKENDS = ("LokyBackend", "MultiprocessingBackend")
#: Arrays from this size on are memory-mapped once per search, unless
#: joblib's parallel_config sets another threshold (joblib's own default).
_SHARE_NBYTES = 1_000_000
#: Most bytes the per-split copies of ``X`` and ``y`` may take on disk (about
#: ``n_splits`` times both); above it the workers cut each split themselves.
_FOLDS_NBYTES = 2**30


def _with_shared_data(method):
    """Run ``method`` with the evaluator's arrays memory-mapped once."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._shared_data():
            return method(self, *args, **kwargs)

    return wrapper


class Evaluator:
    """Evaluates candidates on frozen CV splits through joblib.

    Parameters
    ----------
    base_estimator : estimator
        Cloned for every fold.
    X, y : indexable data
    splits : list of (train, test) index arrays
        Computed once per ``fit`` and used for every candidate.
    scorer : callable or MultimetricScorer
    fit_params, score_params : dict
        Routed metadata, split along with ``X`` inside each task.
    return_train_score : bool
    error_score : 'raise' or float
    n_jobs : int or None
    pre_dispatch : int or str
    callback_ctx : sklearn CallbackContext or None
        Parent context of the per-fold contexts (scikit-learn >= 1.9).
    caller : estimator
        The search, passed to callbacks.
    """

    def __init__(
        self,
        base_estimator,
        X,
        y,
        splits,
        *,
        scorer,
        fit_params,
        score_params,
        return_train_score,
        error_score,
        n_jobs=None,
        pre_dispatch="2*n_jobs",
        callback_ctx=None,
        caller=None,
    ):
        self.base_estimator = base_estimator
        self.X = X
        self.y = y
        self.splits = splits
        self.scorer = scorer
        self.fit_params = fit_params
        self.score_params = score_params
        self.return_train_score = return_train_score
        self.error_score = error_score
        self.n_jobs = n_jobs
        self.pre_dispatch = pre_dispatch
        self.callback_ctx = callback_ctx
        self.caller = caller
        self.proposed: list[tuple[dict, dict]] = []
        self.results: list[CandidateResult] = []
        self._n_jobs_submitted = 0  # numbers the callbacks' tasks
        self._folds = None  # per-split parts of X and y, see _shared_data
        self._whole = None  # X and y as OnDisk, sent along with the parts
        self._pack_models = False  # kept models travel Packed (per run)

    def _backend_factory(self):
        """See :func:`_backend_factory`; None (one joblib call at a time) when
        callbacks are in use: a task's callback context is pickled with its
        parent's map of children, which the driver must not change meanwhile."""
        return None if self.callback_ctx is not None else _backend_factory()

    @property
    def n_splits(self):
        return len(self.splits)

    @contextmanager
    def _shared_data(self):
        """``X`` and ``y`` memory-mapped once, for process workers of this machine.

        joblib memory-maps a large array for its workers, but anew for every
        call: it hashes and dumps it each time. A search makes one call per
        batch or job, many of them small, so the arrays are written once to a
        temporary folder and passed as read-only memory maps (what joblib
        would pass), which workers open by name. The folder is removed after.
        joblib's settings in force are followed: ``max_nbytes`` (None turns
        this off), ``mmap_mode`` and ``temp_folder`` of ``parallel_config``.

        When ``X`` is mapped, each split's training and test parts (and its
        indices) are written too, unless the estimator is pairwise, ``y`` is
        not a numeric array, or they would take more than ``_FOLDS_NBYTES``
        (about ``n_splits`` times ``X`` and ``y``). Tasks then carry
        :class:`OnDisk` references: each maps its fold for itself instead of
        copying it out of ``X`` (for short fits, the copy is a tenth of a
        task), copy-on-write, so it may write to it as to the copy it would
        have made; the whole ``X`` and ``y`` go along unopened.

        Whether kept models travel :class:`Packed` is decided here too, once
        per run rather than for every job.
        """
        self._pack_models = self.moves_models()
        backend, _ = get_active_backend()
        if self.n_workers() == 1 or type(backend).__name__ not in (
            _LOCAL_PROCESS_BACKENDS
        ):
            yield
            return
        # joblib's settings in force (parallel_config): a user who turned its
        # memory-mapping off (max_nbytes=None) keeps it off
        settings = Parallel(n_jobs=self.n_jobs)._backend_kwargs
        max_nbytes = settings.get("max_nbytes", _SHARE_NBYTES)
        mmap_mode = settings.get("mmap_mode") or "r"
        if max_nbytes is None:
            yield
            return
        arrays = {
            name: value
            for name in ("X", "y")
            if type(value := getattr(self, name)) is np.ndarray
            and value.nbytes >= max_nbytes
            and not value.dtype.hasobject
        }
        if not arrays:
            yield
            return
        folder = tempfile.mkdtemp(
            prefix="skhpo-shared-", dir=settings.get("temp_folder")
        )

        def path(name):
            return os.path.join(folder, name)

        try:
            for name, value in arrays.items():
                joblib.dump(value, path(f"{name}.pkl"))
                setattr(self, name, joblib.load(path(f"{name}.pkl"), mmap_mode))
            try:
                self._share_splits(arrays, path, mmap_mode)
            except OSError:  # a full disk: the workers cut their folds
                self._folds = self._whole = None
            yield
        finally:
            self._folds = self._whole = None
            for name, value in arrays.items():
                setattr(self, name, value)
            shutil.rmtree(folder, ignore_errors=True)

    def _share_splits(self, arrays, path, mmap_mode):
        """Write each split's parts once, when ``X`` was written (see
        :meth:`_shared_data`); tasks then carry :class:`OnDisk` references."""
        X, y = arrays.get("X"), arrays.get("y", self.y)
        if (
            X is None
            or not (y is None or (type(y) is np.ndarray and not y.dtype.hasobject))
            or get_tags(self.base_estimator).input_tags.pairwise  # cut from X
            or self.n_splits * (X.nbytes + (0 if y is None else y.nbytes))
            > _FOLDS_NBYTES
        ):
            return

        def write(part, name, mode="c"):
            if part is None:
                return None
            return OnDisk.write(part, path(name), mode)

        folds = []
        for i, (train, test) in enumerate(self.splits):
            train, test = np.asarray(train), np.asarray(test)
            parts = (
                write(X[train], f"X_train{i}"),
                write(None if y is None else y[train], f"y_train{i}"),
                write(X[test], f"X_test{i}"),
                write(None if y is None else y[test], f"y_test{i}"),
            )
            folds.append(
                (write(train, f"train{i}", "r"), write(test, f"test{i}", "r"), parts)
            )
        self._folds = folds
        # the whole arrays: the maps of _shared_data, or a small y written
        whole_y = None
        if "y" in arrays:
            whole_y = OnDisk.of_map(self.y, mmap_mode)
        elif y is not None:
            whole_y = write(y, "y", "r")
        self._whole = (OnDisk.of_map(self.X, mmap_mode), whole_y)

    def n_workers(self):
        """Number of workers of the active joblib backend for ``n_jobs``."""
        return effective_n_jobs(self.n_jobs)

    def moves_models(self):
        """Whether a task's models travel to another process (process or
        cluster workers): then kept models travel :class:`Packed`. Threads
        and a single worker share them in place."""
        backend, _ = get_active_backend()
        return self.n_workers() > 1 and type(backend).__name__ not in (
            "ThreadingBackend",
            "SequentialBackend",
        )

    def tasks(self, index, params, *, job=None):
        """The fit-and-score tasks of one candidate, one per fold.

        ``job`` (a :class:`Job`) may give per-fold models to continue, per-fold
        sub-indices of the splits and a trainer.
        """
        own_splits = job is None or job.splits is None
        splits = self.splits if own_splits else job.splits
        folds = self._folds if own_splits else None
        states = None if job is None else job.states
        trainer = None if job is None else job.trainer
        pack = trainer is not None and trainer.keeps_state and self._pack_models
        for split_idx, (train, test) in enumerate(splits):
            fold = None
            if folds is not None:  # the same split, read from the shared maps
                train, test, fold = folds[split_idx]
            ctx = None
            if self.callback_ctx is not None:
                ctx = self.callback_ctx.subcontext(
                    task_name="candidate-split-evaluation",
                    task_id=index * self.n_splits + split_idx,
                )
            state = None if states is None else states[split_idx]
            yield delayed(fit_and_score)(
                clone(self.base_estimator) if state is None else state,
                self.X if fold is None else self._whole[0],
                self.y if fold is None else self._whole[1],
                scorer=self.scorer,
                train=train,
                test=test,
                parameters=params if state is None else None,
                fit_params=self.fit_params,
                score_params=self.score_params,
                return_train_score=self.return_train_score,
                error_score=self.error_score,
                callback_ctx=ctx,
                caller=self.caller if ctx is not None else None,
                trainer=trainer,
                fold=fold,
                pack_state=pack,
            )

    @_with_shared_data
    def run(self, propose, n_candidates, lag=1):
        """Evaluate up to ``n_candidates`` more candidates with a fixed lag.

        Parameters
        ----------
        propose : callable
            ``propose(k, finished, pending) -> (params, extra)``, or ``None`` to
            stop. ``finished`` are the results of candidates ``0 .. k - lag``
            (a list of :class:`CandidateResult`), ``pending`` the parameters of
            candidates ``k - lag + 1 .. k - 1``, which may still be running.
            Called in the driver as soon as candidate ``k - lag`` has finished,
            so the proposals do not depend on which fit finished first.
            ``extra`` is a dict of columns for ``cv_results_``.
        n_candidates : int
        lag : int
            At most ``lag`` candidates are evaluated at once.

        Returns
        -------
        results : list of CandidateResult
            The candidates finished by this call, in proposal order. On an
            exception (``KeyboardInterrupt`` included) the finished candidates
            stay in :attr:`results` and the exception propagates.
        """
        lag = max(1, int(lag))
        sequential = self.n_workers() == 1
        factory = None if sequential else self._backend_factory()
        open_calls = lag if factory is not None else 1
        running = deque()  # results generators, oldest first
        start = len(self.proposed)
        stop = start + n_candidates
        try:
            while True:
                while len(self.proposed) < stop and len(running) < lag:
                    k = len(self.proposed)
                    n_finished = max(0, k - lag + 1)
                    proposal = propose(
                        k,
                        self.results[:n_finished],
                        [params for params, _ in self.proposed[n_finished:k]],
                    )
                    if proposal is None:
                        stop = k
                        break
                    self.proposed.append(proposal)
                    tasks = list(self.tasks(k, proposal[0]))
                    if sequential:
                        self._finish([f(*a, **kw) for f, a, kw in tasks])
                        continue
                    if len(running) >= open_calls:
                        self._finish(list(running.popleft()))
                    parallel = Parallel(
                        n_jobs=self.n_jobs,
                        pre_dispatch=self.pre_dispatch,
                        return_as="generator" if factory else "list",
                        backend=factory() if factory else None,
                    )
                    running.append(parallel(tasks))
                if not running:
                    break
                self._finish(list(running.popleft()))
        finally:
            for generator in running:  # stop what still runs
                if hasattr(generator, "close"):
                    generator.close()
            # what did not finish is forgotten; what finished is kept
            del self.proposed[len(self.results) :]
        return self.results[start:]

    def _finish(self, out):
        params, extra = self.proposed[len(self.results)]
        self.results.append(_result(params, out, extra))

    # ------------------------------------------------------------ jobs
    @_with_shared_data
    def run_jobs(self, scheduler, max_open=None):
        """Evaluate the jobs a scheduler asks for, as workers free.

        Parameters
        ----------
        scheduler : object
            ``scheduler.ask(n_free) -> list of batches``, a batch being a list
            of :class:`Job` run as one joblib call, with at most ``n_free`` jobs
            in all (``n_free`` is None when unlimited); an empty list means
            "nothing to start until a job finishes". ``scheduler.tell(job,
            result)`` receives each finished job's :class:`CandidateResult`,
            in the driver. The run ends when nothing runs and ``ask`` returns
            nothing.
        max_open : int, default=None
            Most jobs in flight at once; None for no limit (the scheduler
            limits itself).

        Returns
        -------
        results : list of CandidateResult
            Finished jobs, in the order they finished (also appended to
            :attr:`results`). On an exception (``KeyboardInterrupt`` included)
            the finished jobs stay in :attr:`results` and the exception
            propagates.

        Notes
        -----
        With one worker, or a backend whose instances each own a pool
        (threading, multiprocessing), batches run one after the other in the
        driver, in the order asked. With a backend sharing one pool of workers
        (loky, dask), every batch is a joblib call of its own, consumed by a
        driver thread, so a batch that finishes is told at once while others
        still run: what the scheduler decides may then depend on timing.
        """
        start = len(self.results)
        sequential = self.n_workers() == 1
        factory = None if sequential else self._backend_factory()
        done = queue.Queue()  # (job, outputs, exception) from driver threads
        abort = threading.Event()
        pending = deque()  # batches waiting their turn (one call at a time)
        n_open = 0

        def outputs(batch, tasks, backend):
            """Yield ``(job, outputs)`` as each job's folds complete, in order."""
            if sequential:
                results = (f(*a, **kw) for f, a, kw in tasks)
            else:
                results = Parallel(
                    n_jobs=self.n_jobs,
                    pre_dispatch=self.pre_dispatch,
                    return_as="generator",
                    backend=backend,
                )(tasks)
            try:
                for job in batch:
                    yield job, [next(results) for _ in range(_n_folds(self, job))]
            finally:
                if hasattr(results, "close"):
                    results.close()

        def consume(batch, tasks, backend):
            try:
                for job, out in outputs(batch, tasks, backend):
                    if abort.is_set():
                        return
                    done.put((job, out, None))
            except BaseException as exc:  # handed to the driver
                done.put((None, None, exc))

        def finish(job, out):
            nonlocal n_open
            n_open -= 1
            result = _result(job.params, out, job.extra)
            self.results.append(result)
            scheduler.tell(job, result)

        try:
            while True:
                for batch in scheduler.ask(
                    None if max_open is None else max_open - n_open
                ):
                    if not batch:
                        continue
                    n_open += len(batch)
                    tasks = []
                    for job in batch:
                        index = self._n_jobs_submitted
                        self._n_jobs_submitted += 1
                        tasks.extend(self.tasks(index, job.params, job=job))
                    if factory is None:
                        pending.append((batch, tasks))
                    else:
                        threading.Thread(
                            target=consume, args=(batch, tasks, factory()), daemon=True
                        ).start()
                if factory is None:
                    if not pending:
                        break
                    batch, tasks = pending.popleft()
                    for job, out in outputs(batch, tasks, None):
                        finish(job, out)
                    continue
                if n_open == 0:
                    break
                job, out, exc = done.get()
                if exc is not None:
                    raise exc
                finish(job, out)
        finally:
            abort.set()
        return self.results[start:]


def _n_folds(evaluator, job):
    return evaluator.n_splits if job.splits is None else len(job.splits)


class Job:
    """One candidate on every fold: the unit a scheduler submits.

    Parameters
    ----------
    params : dict
        Parameters set on a fresh clone (ignored for folds continuing a model).
    extra : dict
        Columns for ``cv_results_``.
    states : list or None
        Per-fold models to continue (from an earlier job's result), or None to
        start from clones.
    trainer : Refit, WarmStart, PartialFitEpochs or None
    splits : list of (train, test) or None
        Per-fold indices replacing the frozen splits (subsamples of them).
    """

    __slots__ = ("params", "extra", "states", "trainer", "splits", "key")

    def __init__(
        self, params, extra=None, *, states=None, trainer=None, splits=None, key=None
    ):
        self.params = params
        self.extra = extra or {}
        self.states = states
        self.trainer = trainer
        self.splits = splits
        self.key = key


def _result(params, out, extra):
    states = [o.pop("state", None) for o in out]
    if all(state is None for state in states):
        states = None
    return CandidateResult(params, out, extra, states)
