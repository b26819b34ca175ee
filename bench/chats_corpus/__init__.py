"""A synthetic, non-explicit evaluation corpus for grooming-risk triage, written apart from the
cue patterns of ``interlink.chats.cues`` (see ``templates``)."""
