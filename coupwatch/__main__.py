"""``python -m coupwatch``: the same command line as the ``coupwatch`` script."""

from coupwatch.cli import main

if __name__ == "__main__":
    main()
