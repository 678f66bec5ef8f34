"""``python -m valuelearn``: the same command line as the ``valuelearn`` entry point."""

from valuelearn.cli import main

if __name__ == "__main__":
    main()
