"""`python -m api`: the `archive` command line."""

from api.cli import main

main()
