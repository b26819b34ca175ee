"""How ``interlink serve`` sets up a worker: its lookup indexes opened in the background as it
starts, so its first lookups answer from memory."""

from __future__ import annotations

from pathlib import Path

from interlink.adapters.sql.store import SqlStore
from interlink.api.app import create_app
from interlink.api.deps import ServerOptions
from interlink.api.server import open_lookup_indexes
from interlink.services.lists import import_list
from interlink.settings import Settings


def test_a_starting_worker_opens_the_lookup_indexes_in_the_background(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'node.db'}"
    store = SqlStore.open(url)
    try:
        known = tmp_path / "known.csv"
        known.write_text("pdq,category\n" + "f" * 64 + ",uk:A\n")
        import_list(store, known, name="known")
        app = create_app(
            Settings.load({}, home=tmp_path, database_url=url), store=store, options=ServerOptions()
        )
        lookups = app.state.interlink.lookups
        assert not lookups.in_memory()
        open_lookup_indexes(app).join(30)
        assert lookups.in_memory()
        assert [held.state.name for held in lookups.current(store)] == ["known"]
    finally:
        store.close()
