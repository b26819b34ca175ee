"""The reader of each chat format, in one table."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import partial
from types import MappingProxyType

from interlink.chats import discord, meta, telegram, ufdr, whatsapp
from interlink.chats.base import ExportFile
from interlink.domain.chats import ChatFormat, ChatItem

Reader = Callable[[ExportFile], Iterator[ChatItem]]

READERS: Mapping[ChatFormat, Reader] = MappingProxyType(
    {
        ChatFormat.TELEGRAM: telegram.read,
        ChatFormat.WHATSAPP: whatsapp.read,
        ChatFormat.DISCORD: discord.read,
        ChatFormat.MESSENGER: partial(meta.read, platform="messenger"),
        ChatFormat.INSTAGRAM: partial(meta.read, platform="instagram"),
        ChatFormat.UFDR: ufdr.read,
    }
)


def read(fmt: ChatFormat, export: ExportFile) -> Iterator[ChatItem]:
    """The items of ``export`` read as ``fmt``."""
    return READERS[fmt](export)
