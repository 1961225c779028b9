"""Options several ``kg`` commands share (``kg`` and its ``kg link`` sub-app), defined once.

Kept apart from :mod:`kg.cli` so that :mod:`kg.link_cli` can use them without importing the CLI that imports it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

StoreOpt = Annotated[Path | None, typer.Option(
    "--store", envvar="KG_STORE", help="Store directory (default .kg/store under the working directory).",
    show_default=False)]
EndpointOpt = Annotated[str | None, typer.Option(
    "--endpoint", envvar="KG_ENDPOINT", help="Work against this SPARQL 1.1 server (its query URL) instead of the "
    "embedded store; credentials from KG_ENDPOINT_USER/KG_ENDPOINT_PASSWORD or ~/.netrc.", show_default=False)]
