# ruff: noqa: E501  (patterns read best whole, one per line)
"""French grooming-risk cue patterns (regular expressions, matched case-insensitively; the
text is compared with its accents, so patterns accept both forms where people drop them).

Same shape as ``interlink.chats.cues.en``.
"""

from __future__ import annotations

LANGUAGE = "fr"

AGE_STATED: tuple[str, ...] = (
    r"\bj'?\s?ai\s+(?:que\s+|seulement\s+|presque\s+|bientôt\s+|bientot\s+)?(?P<age>\d{1,2})\s*ans\b",
    r"\bj'?\s?aurai\s+(?P<age>\d{1,2})\s*ans\b",
    r"\bmoi\s+(?:c'est\s+|j'ai\s+)?(?P<age>\d{1,2})\s*ans\b",
)
AGE_ASKED: tuple[str, ...] = (
    r"\b(?:tu\s+as|t'?\s?as|t'?es)\s+quel\s+[âa]ge\b",
    r"\bquel\s+[âa]ge\s+(?:as[- ]tu|tu\s+as|t'?\s?as|avez[- ]vous)\b",
    r"\bc'est\s+quoi\s+ton\s+[âa]ge\b",
    r"\bt'?\s?es\s+en\s+quelle\s+classe\b",
    r"\btu\s+es\s+en\s+quelle\s+classe\b",
    r"\b(?:t'?\s?es|tu\s+es)\s+en\s+(?:\d|six|cinqu|quatr|trois|seconde|premi[èe]re|terminale)\S*",
)
PATTERNS: dict[str, tuple[str, ...]] = {
    "photo_request": (
        r"\b(?:envoie|envoies|envoyer|envoi)[- ]?(?:moi|m'en)?\s+(?:une\s+|des\s+|d'autres\s+|encore\s+une\s+|une\s+autre\s+|les\s+|tes\s+)?"
        r"(?:photo|photos|pic|pics|selfie|selfies|vidéo|video|vidéos|videos)\b",
        r"\btu\s+(?:peux|pourrais|veux)\s+m'?\s?envoyer\s+(?:une\s+|des\s+|les\s+|tes\s+)?(?:photo|photos|pic|selfie|vidéo|video)\b",
        r"\bmontre[- ]moi\s+(?:une\s+photo|ta\s+tête|à\s+quoi\s+tu\s+ressembles|a\s+quoi\s+tu\s+ressembles|toi)\b",
        r"\b(?:fais|prends)[- ]?(?:moi\s+)?(?:une\s+|un\s+)?(?:photo|selfie|vidéo|video)\s+(?:pour\s+moi|de\s+toi)\b",
        r"\b(?:je\s+veux|j'aimerais|laisse[- ]moi)\s+voir\s+(?:une\s+|des\s+|tes\s+|ta\s+)?(?:photo|photos|selfie|vidéo|video)\b",
        r"\b(?:allume|active)\s+(?:ta\s+)?(?:cam|caméra|camera|webcam)\b",
        r"\bappel\s+vid[ée]o\s+(?:ce\s+soir|maintenant|stp|plus\s+tard)\b",
    ),
    "secrecy": (
        r"\bne\s+(?:le\s+)?dis\s+(?:rien|ça|ca)?\s*(?:à|a)\s+(?:personne|tes\s+parents|ta\s+m[èe]re|ton\s+p[èe]re|tes\s+amis?)\b",
        r"\bdis[- ]le\s+(?:à|a)\s+personne\b",
        r"\b(?:c'est\s+)?notre\s+(?:petit\s+)?secret\b",
        r"\bgarde\s+(?:ça|ca|le)\s+(?:secret|pour\s+toi)\b",
        r"\bentre\s+(?:nous|toi\s+et\s+moi)\b",
        r"\b(?:supprime|efface)\s+(?:les|nos|ce|cette|la)\s+(?:messages?|conversation|discussion|chat)\b",
        r"\bpersonne\s+(?:ne\s+)?(?:doit|dois)\s+(?:le\s+)?savoir\b",
        r"\btes\s+parents\s+ne\s+(?:comprendraient|comprendront)\s+pas\b",
    ),
    "platform_move": (
        r"\bajoute[- ]moi\s+sur\s+(?:snap|snapchat|kik|telegram|whatsapp|discord|insta|instagram|signal)\b",
        r"\b(?:t'?\s?as|tu\s+as)\s+(?:snap|snapchat|kik|telegram|whatsapp|discord|insta|signal)\b",
        r"\bon\s+(?:continue|parle|passe|discute)\s+sur\s+(?:snap|snapchat|kik|telegram|whatsapp|discord|insta|instagram|signal|une\s+autre\s+app)\b",
        r"\b(?:écris|ecris|parle)[- ]moi\s+sur\s+(?:snap|snapchat|kik|telegram|whatsapp|discord|insta|instagram|signal)\b",
        r"\bdonne[- ]moi\s+ton\s+(?:num[ée]ro|numéro|snap|insta|discord|06|07)\b",
        r"\bc'est\s+quoi\s+ton\s+(?:snap|insta|num[ée]ro|discord)\b",
        r"\b(?:télécharge|telecharge|installe)\s+(?:telegram|signal|kik|snapchat)\b",
    ),
    "gift": (
        r"\bje\s+(?:vais|peux|pourrais)\s+(?:t'\s?|te\s+)(?:acheter|offrir|payer|envoyer\s+de\s+l'argent)\b",
        r"\bje\s+t'?\s?(?:offre|paie|paye|achète|achete)\b",
        r"\bcartes?\s+cadeaux?\b",
        r"\b(?:robux|v-?bucks)\b",
        r"\bje\s+t'?\s?envoie\s+(?:de\s+l'argent|des\s+sous|du\s+crédit|du\s+credit)\b",
        r"\bje\s+(?:te\s+)?recharge\s+ton\s+(?:forfait|téléphone|telephone|compte)\b",
    ),
    "meeting": (
        r"\bon\s+(?:se\s+voit|peut\s+se\s+voir|pourrait\s+se\s+voir|se\s+retrouve|se\s+rejoint)\b",
        r"\b(?:se|te)\s+rencontrer\b",
        r"\bje\s+(?:viens|peux\s+venir|passe)\s+te\s+(?:chercher|prendre|voir)\b",
        r"\bviens\s+chez\s+moi\b",
        r"\b(?:tu\s+habites|t'?\s?habites)\s+o[uù]\b",
        r"\bc'est\s+quoi\s+ton\s+adresse\b",
        r"\bdonne[- ]moi\s+ton\s+adresse\b",
    ),
    "threat": (
        r"\bsinon\s+je\b",
        r"\bje\s+vais\s+(?:tout\s+)?(?:dire|montrer|envoyer)\s+(?:ça\s+|ca\s+|tout\s+)?(?:à|a)\s+(?:tes\s+parents|tout\s+le\s+monde|tes\s+amis|ton\s+école|ton\s+ecole|ta\s+m[èe]re|ton\s+p[èe]re)\b",
        r"\bje\s+vais\s+(?:publier|partager|diffuser|envoyer)\s+(?:tes|les|ces)\s+(?:photos|vidéos|videos|messages)\b",
        r"\btu\s+vas\s+le\s+regretter\b",
        r"\bje\s+sais\s+o[uù]\s+tu\s+habites\b",
    ),
}
