"""What the display tests share: matplotlib, headless, figures closed."""

import pytest


@pytest.fixture
def pyplot():
    """``matplotlib.pyplot`` on the Agg backend; every figure closed after."""
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")
