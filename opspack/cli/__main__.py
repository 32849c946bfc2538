"""``python -m opspack.cli``: the same as the `opspack` console script."""

from opspack.cli.root import main

main()
