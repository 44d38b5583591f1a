"""Sub-commands beyond the core ones: each module here exposes ``add_parser(subparsers)``
and ``run(args) -> int``; the CLI discovers them by listing this package."""
