"""Held-out phrasings, written after the rules were last changed and never used to change
them: the figure they give is the one to quote (``templates`` served to find rule gaps).
Same shape as ``templates.CUES``."""

from __future__ import annotations

CUES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": {
        "age": (
            "wait how old are u",
            "I'm {young} lol why",
            "what's your age again?",
            "i just turned {young}",
            "I'm {adult} so a bit older than you",
        ),
        "photo_request": (
            "send me a selfie",
            "can I get a pic of you",
            "show me a picture of yourself",
            "send pics",
            "I wanna see a photo of you",
        ),
        "secrecy": (
            "don't tell your mom we talk",
            "it's our little secret",
            "delete this chat ok",
            "no one has to know",
            "keep it secret from your parents",
        ),
        "platform_move": (
            "got snapchat?",
            "text me on telegram",
            "let's move to whatsapp",
            "what's your number",
            "add me on insta",
        ),
        "gift": (
            "I'll send you some money",
            "i can get you robux",
            "I'll buy you a present",
            "want a gift card?",
        ),
        "meeting": (
            "let's meet up this weekend",
            "I can come and get you after school",
            "what's your address",
            "we could meet at the mall",
        ),
        "threat": (
            "answer me or else",
            "I'll post your photos",
            "I'm going to tell your parents",
            "you will regret it",
        ),
    },
    "fr": {
        "age": (
            "t'as quel âge en vrai ?",
            "j'ai {young} ans et toi ?",
            "c'est quoi ton âge ?",
            "moi j'ai {adult} ans",
        ),
        "photo_request": (
            "envoie des photos",
            "tu veux m'envoyer un selfie ?",
            "montre-moi une photo",
            "envoie-moi un selfie",
        ),
        "secrecy": (
            "ne le dis à personne",
            "c'est un secret entre nous",
            "efface nos messages",
            "tes parents ne comprendraient pas",
        ),
        "platform_move": (
            "t'as snap ?",
            "on parle sur telegram plutôt",
            "c'est quoi ton snap",
            "ajoute-moi sur insta",
        ),
        "gift": (
            "je t'achète ce que tu veux",
            "je peux t'offrir des robux",
            "je te recharge ton forfait",
        ),
        "meeting": (
            "on peut se voir demain ?",
            "t'habites où exactement ?",
            "viens chez moi samedi",
        ),
        "threat": (
            "je vais montrer ça à tes parents",
            "réponds sinon je publie tout",
            "tu vas le regretter",
        ),
    },
}
