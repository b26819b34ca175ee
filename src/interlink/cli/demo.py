"""``interlink demo``: generate a benign synthetic exhibit, scan it and report it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated

import typer

from interlink.adapters.sql.store import SqlStore
from interlink.cli import scan as scan_cli
from interlink.cli.context import state
from interlink.cli.output import JsonFlag, RichProgress, console, print_json
from interlink.demo.exhibit import build_demo_exhibit
from interlink.domain.errors import ConflictError
from interlink.services.lists import import_list
from interlink.services.reports import write_report
from interlink.services.scan import ScanOptions, scan_exhibit
from interlink.settings import Settings

MARKER = ".interlink-demo"
CASE = "Demo case"


def demo(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Option("--dir", help="Where to write the demo (recreated each run).")
    ] = Path("interlink-demo"),
    use_store: Annotated[
        bool,
        typer.Option(
            "--use-store/--own-store",
            help="Scan into the configured store instead of a fresh SQLite file in --dir.",
        ),
    ] = False,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve",
            help="Then serve the web interface on 127.0.0.1 over the demo's store, with a demo "
            "user whose password and TOTP secret are printed.",
        ),
    ] = False,
    port: Annotated[int, typer.Option("--port", help="Port for --serve.")] = 8800,
    as_json: JsonFlag = False,
) -> None:
    """Generate benign synthetic evidence (images, transformed copies of images a generated
    list marks known, a nested archive, broken files), scan it and write its report."""
    shared = state(ctx)
    if directory.exists():
        if not (directory / MARKER).exists():
            raise ConflictError(f"{directory} exists and is not a demo folder; choose --dir")
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    (directory / MARKER).write_text("made by interlink demo\n", encoding="utf-8")
    built = build_demo_exhibit(directory)
    store = shared.store if use_store else SqlStore.open(f"sqlite:///{directory / 'interlink.db'}")
    try:
        imported = import_list(
            store, built.known_list, name="demo-known", actor=shared.settings.actor
        )
        videos = import_list(
            store, built.known_video_list, name="demo-known-videos", actor=shared.settings.actor
        )
        with RichProgress("scanning demo exhibit", enabled=not as_json) as progress:
            result = scan_exhibit(
                store,
                built.exhibit,
                case=CASE,
                options=ScanOptions(
                    workers=shared.settings.workers, index_cache=directory / "indexes"
                ),
                progress=progress,
                actor=shared.settings.actor,
            )
        written = write_report(store, CASE, directory / "report", actor=shared.settings.actor)
        if serve:
            _serve(shared.settings, store, port, as_json=as_json)
    finally:
        if not use_store:
            store.close()
    if as_json:
        print_json(
            {
                "exhibit": str(built.exhibit),
                "lists": [
                    {"name": imported.list_name, "entries": imported.entries},
                    {"name": videos.list_name, "entries": videos.entries},
                ],
                "scan": scan_cli.result_json(result),
                "report": {"json": str(written.json_path), "html": str(written.html_path)},
            }
        )
        return
    console.print(f"generated a benign synthetic exhibit in {built.exhibit}")
    console.print(
        f"imported list {imported.list_name!r} with {imported.entries} known items, and "
        f"{videos.list_name!r} with {videos.entries} known video"
    )
    scan_cli.show(result)
    console.print(f"report: {written.html_path} (thumbnails blurred; click to reveal)")
    console.print(f"        {written.json_path}")


def _serve(settings: Settings, store: SqlStore, port: int, *, as_json: bool) -> None:
    """Print the demo user's credentials and serve the web interface until interrupted."""
    import uvicorn

    from interlink.api.app import create_app
    from interlink.demo.access import demo_login

    login = demo_login(store, actor=settings.actor)
    url = f"http://127.0.0.1:{port}/login"
    if as_json:
        print_json(
            {
                "url": url,
                "user": login.name,
                "password": login.password,
                "totp_secret": login.totp_secret,
                "otpauth_uri": login.otpauth_uri,
            }
        )
    else:
        console.print(f"web interface: {url} (Ctrl-C stops it)")
        console.print(f"  user {login.name}, password {login.password}")
        console.print(f"  TOTP secret {login.totp_secret} ({login.otpauth_uri})")
    app = create_app(settings, store=store)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", server_header=False)
