"""``python -m sofs_lib.build`` is the executor (:mod:`sofs_lib.build.runner`)."""

from sofs_lib.build.runner import main

main()
