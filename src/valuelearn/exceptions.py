"""Errors and warnings raised by valuelearn.

Every error about bad input derives from :class:`ValueLearnInputError` (itself a ``ValueError``), so
the command line can turn it into one line on stderr and exit code 2.
"""

from __future__ import annotations


class ValueLearnInputError(ValueError):
    """Bad input: a file, field or argument that does not satisfy its contract.

    The message names where the problem is (file and line or field, or the argument) and what was
    expected, in one line.
    """


class NotFittedError(ValueLearnInputError, AttributeError):
    """An estimator was used before :meth:`fit` was called."""


class ConvergenceWarning(UserWarning):
    """An iterative solver stopped before meeting its tolerance."""
