"""The words WhatsApp writes into ``.txt`` exports, per language of the phone.

To add a language, add its markers to each tuple (as the phone writes them, without the
invisible marks): nothing else changes.
"""

from __future__ import annotations

#: Android: ``NAME (file attached)`` after the file name.
FILE_ATTACHED: tuple[str, ...] = (
    "(file attached)",
    "(fichier joint)",
    "(Datei angehängt)",
    "(archivo adjunto)",
    "(arquivo anexado)",
    "(file allegato)",
    "(bestand bijgevoegd)",
)
#: iOS: ``<attached: NAME>``.
IOS_ATTACHED: tuple[str, ...] = (
    "<attached:",
    "<pièce jointe :",
    "<Anhang:",
    "<adjunto:",
    "<anexo:",
    "<allegato:",
    "<bijlage:",
)
#: A message whose media was left out of the export.
MEDIA_OMITTED: tuple[str, ...] = (
    "<Media omitted>",
    "<Médias omis>",
    "<Medien ausgeschlossen>",
    "<Multimedia omitido>",
    "<Mídia oculta>",
    "<Media omessi>",
    "<Media weggelaten>",
    "image omitted",
    "video omitted",
    "audio omitted",
    "sticker omitted",
    "GIF omitted",
    "document omitted",
    "image absente",
    "vidéo absente",
    "audio absent",
    "autocollant omis",
    "Bild weggelassen",
    "Video weggelassen",
    "imagen omitida",
    "video omitido",
)
#: A deleted message.
DELETED: tuple[str, ...] = (
    "This message was deleted",
    "You deleted this message",
    "Ce message a été supprimé",
    "Vous avez supprimé ce message",
    "Diese Nachricht wurde gelöscht",
    "Du hast diese Nachricht gelöscht",
    "Se eliminó este mensaje",
    "Eliminaste este mensaje",
    "Esta mensagem foi apagada",
    "Questo messaggio è stato eliminato",
    "Dit bericht is verwijderd",
)
#: Appended to an edited message.
EDITED: tuple[str, ...] = (
    "<This message was edited>",
    "<Ce message a été modifié>",
    "<Diese Nachricht wurde bearbeitet>",
    "<Se editó este mensaje.>",
    "<Mensagem editada>",
    "<Questo messaggio è stato modificato>",
    "<Dit bericht is bewerkt>",
)
#: Words of an afternoon time in a 12-hour clock.
PM: tuple[str, ...] = ("pm", "p.m.", "p. m.")
AM: tuple[str, ...] = ("am", "a.m.", "a. m.")
