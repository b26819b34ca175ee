# ruff: noqa: E501  (patterns read best whole, one per line)
"""English grooming-risk cue patterns (regular expressions, matched case-insensitively).

Each cue maps to patterns whose match is the span shown to the examiner. ``AGE_STATED`` and
``AGE_ASKED`` carry the age in a group named ``age`` (stated) so an age gap can be found.
"""

from __future__ import annotations

LANGUAGE = "en"

_UNITS = (
    r"(?!\s*(?:min|mins|minutes|h|hrs|hours|sec|seconds|days|weeks|months|km|miles|mi|kg|lbs|"
    r"pounds|dollars|euros|bucks|%|€|\$|am\b|pm\b|:|\.\d|th\b|st\b|nd\b|rd\b|times|x\b))"
)
AGE_STATED: tuple[str, ...] = (
    r"\b(?:i'?m|i am|im)\s+(?:only\s+|just\s+|almost\s+|nearly\s+)?(?P<age>\d{1,2})\b" + _UNITS,
    r"\b(?:i'?m|i am|im)\s+(?P<age>\d{1,2})\s*(?:years?\s+old|y/?o|yrs?(?:\s+old)?)\b",
    r"\bi\s+(?:just\s+)?turned\s+(?P<age>\d{1,2})\b" + _UNITS,
    r"\bi(?:'ll| will)\s+(?:be|turn)\s+(?P<age>\d{1,2})\s+(?:next|this|in)\b",
    r"\bmy age is\s+(?P<age>\d{1,2})\b",
)
AGE_ASKED: tuple[str, ...] = (
    r"\bhow old (?:are|r) (?:you|u|ya)\b",
    r"\bwhat(?:'s| is) your age\b",
    r"\bwhat age (?:are|r) (?:you|u)\b",
    r"\bhow old(?:'re| are) you\b",
    r"\bwhat (?:grade|year) (?:are|r) (?:you|u) in\b",
    r"\basl\b",
    r"^\s*(?:age|ur age|your age)\s*\?",
)
PATTERNS: dict[str, tuple[str, ...]] = {
    "photo_request": (
        r"\b(?:send|snap|text|dm)\s+(?:me\s+)?(?:a\s+|another\s+|some\s+|more\s+|one\s+more\s+|the\s+|your\s+)?"
        r"(?:pic|pics|picture|pictures|photo|photos|selfie|selfies|vid|video|videos)\b",
        r"\bsend\s+(?:me\s+)?another\s+one\b",
        r"\b(?:let\s+me|i\s+want\s+to|wanna)\s+see\s+(?:a\s+|another\s+|some\s+|your\s+)?(?:pic|pics|picture|photo|photos|selfie)\b",
        r"\b(?:can|could|may)\s+i\s+(?:see|get|have)\s+(?:a\s+|another\s+|some\s+)?"
        r"(?:pic|pics|picture|photo|photos|selfie|video)\b",
        r"\bshow\s+me\s+(?:a\s+)?(?:pic|picture|photo|yourself|what you look like)\b",
        r"\b(?:take|make)\s+(?:a\s+)?(?:pic|picture|photo|selfie|video)\s+(?:for|of)\s+me\b",
        r"\b(?:turn|switch)\s+(?:on\s+)?(?:your\s+)?(?:cam|camera|webcam)\b",
        r"\bvideo\s*(?:call|chat)\s+(?:me|now|tonight|later)\b",
        r"\bwanna\s+see\s+(?:a\s+)?(?:pic|photo|you)\b",
    ),
    "secrecy": (
        r"\bdon'?t\s+tell\s+(?:anyone|anybody|your\s+(?:mom|mum|dad|parents|friends|family|sister|brother|teacher)|them)\b",
        r"\b(?:keep|keeping)\s+(?:this|it|us|our\s+chats?)\s+(?:a\s+)?secret\b",
        r"\b(?:our|a)\s+(?:little\s+)?secret\b",
        r"\bbetween\s+(?:you\s+and\s+me|us)\b",
        r"\b(?:delete|clear|erase|wipe)\s+(?:this|the|our|these|all\s+(?:the|our))\s+(?:chat|chats|messages?|conversation|texts)\b",
        r"\bno\s*(?:one|body)\s+(?:needs|has|must|should)\s+to\s+know\b",
        r"\byour\s+parents\s+(?:wouldn'?t|won'?t|would\s+not|will\s+not)\s+understand\b",
        r"\bdon'?t\s+let\s+(?:your\s+)?(?:parents|mom|mum|dad|anyone)\s+(?:see|know|find)\b",
    ),
    "platform_move": (
        r"\badd\s+me\s+on\s+(?:snap|snapchat|kik|telegram|whatsapp|discord|insta|instagram|signal|wickr|skype|wire|session)\b",
        r"\b(?:do\s+you\s+have|you\s+got|u\s+got|got)\s+(?:a\s+)?(?:snap|snapchat|kik|telegram|whatsapp|discord|insta|signal|wickr)\b",
        r"\blet'?s\s+(?:talk|chat|move|continue|go|switch)\s+(?:on|to|over\s+to)\s+(?:snap|snapchat|kik|telegram|whatsapp|discord|insta|instagram|signal|wickr|skype|another\s+app)\b",
        r"\b(?:message|text|dm|call)\s+me\s+on\s+(?:snap|snapchat|kik|telegram|whatsapp|discord|insta|instagram|signal|wickr|skype)\b",
        r"\bwhat(?:'s| is)\s+your\s+(?:snap|snapchat|kik|number|phone\s+number|insta|discord)\b",
        r"\bgive\s+me\s+your\s+(?:number|snap|snapchat|kik|insta|discord)\b",
        r"\b(?:download|get|install)\s+(?:telegram|signal|wickr|kik|snapchat|session)\b",
        r"\b(?:we\s+should|let'?s|can\s+we|we\s+can)\s+(?:switch|move|go)\s+(?:over\s+)?to\s+(?:snap|snapchat|kik|telegram|whatsapp|discord|insta|instagram|signal|wickr|skype)\b",
    ),
    "gift": (
        r"\bi(?:'ll|\s+will|\s+can|\s+could)\s+(?:buy|get|send|give)\s+you\s+(?:a\s+|an\s+|some\s+)?"
        r"(?:new\s+)?(?:phone|gift|present|money|cash|card|clothes|shoes|game|credit|robux|v-?bucks|skin|skins|top[- ]?up)\b",
        r"\bgift\s*cards?\b",
        r"\b(?:robux|v-?bucks)\b",
        r"\bi(?:'ll|\s+will)\s+pay\s+(?:you|for)\b",
        r"\b(?:send|give)\s+you\s+(?:some\s+)?(?:money|cash|credit)\b",
        r"\btop\s*up\s+your\s+(?:phone|account|credit)\b",
    ),
    "meeting": (
        r"\b(?:let'?s|we\s+should|wanna|want\s+to|can\s+we|could\s+we|we\s+could)\s+meet(?:\s+up)?\b",
        r"\bmeet\s+(?:me|up)\s+(?:at|after|tomorrow|tonight|on|this|near|behind|outside)\b",
        r"\bi(?:'ll|\s+will|\s+can|\s+could)\s+(?:pick\s+you\s+up|come\s+(?:and\s+)?(?:get|see)\s+you)\b",
        r"\bcome\s+(?:over\s+)?to\s+my\s+(?:place|house|flat|apartment|car)\b",
        r"\bwhere\s+do\s+(?:you|u)\s+live\b",
        r"\bwhat(?:'s| is)\s+your\s+address\b",
        r"\bsee\s+you\s+in\s+person\b",
    ),
    "threat": (
        r"\bi(?:'ll|\s+will|\s+am\s+going\s+to|'m\s+gonna|'m\s+going\s+to)\s+(?:tell|show|send\s+(?:it|them|this)\s+to)\s+"
        r"(?:everyone|everybody|your\s+(?:parents|mom|mum|dad|friends|school|teacher|family))\b",
        r"\bor\s+else\b",
        r"\bi(?:'ll|\s+will|'m\s+gonna)\s+(?:post|share|leak|send)\s+(?:your|the|those|these)\s+(?:pics|photos|pictures|videos|messages|chats)\b",
        r"\byou(?:'ll|\s+will)\s+regret\s+(?:it|this)\b",
        r"\bi\s+know\s+where\s+you\s+live\b",
        r"\bi(?:'ll|\s+will)\s+(?:hurt|find)\s+you\b",
    ),
}
