"""Sportello: the citizens' online desk and the civil-protection alert system of a comune."""

from sportello.config.celery import app as celery_app

__all__ = ["celery_app"]
