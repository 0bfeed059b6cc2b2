"""The gallery's order: the quick start first, then the rest by file name."""

from sphinx_gallery.sorting import FileNameSortKey


class QuickstartFirst(FileNameSortKey):
    """Sort key of the examples: ``quickstart.py`` leads."""

    def __call__(self, filename):
        return (filename != "quickstart.py", super().__call__(filename))
