"""``python -m interlink``: the same as the ``interlink`` command."""

from interlink.cli.app import main

main()
