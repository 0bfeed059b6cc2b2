"""What every display shares: matplotlib, imported only when drawing."""

from __future__ import annotations


def check_matplotlib_support(caller: str) -> None:
    """Raise an ImportError that says how to install matplotlib.

    Parameters
    ----------
    caller : str
        The method that needs it, named in the message.
    """
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{caller} needs matplotlib: pip install 'skhpo[plot]'"
        ) from exc
