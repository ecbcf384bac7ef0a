"""``python -m site_gen``: the same as the ``site-gen`` command."""

from site_gen.cli import main

main()
