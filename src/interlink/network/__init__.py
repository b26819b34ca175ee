"""Offender networks from platform reports: typed graph, entity resolution, communities,
ranking, country attribution and referrals (see ``pipeline`` for the whole build)."""
