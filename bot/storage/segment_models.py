"""Segmentation runs, their segments and who was in which one: written by `analysis/`.

Every run is kept, so analysts can see tenants move between segments over time and a new
run can take its labels from the previous one.
"""

from __future__ import annotations

import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models import Base, BigId, utcnow


class SegmentRun(Base):
    """One run of the segmentation: how it was made, so it can be explained and repeated."""

    __tablename__ = "segment_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
    method: Mapped[str] = mapped_column(String(32))  # e.g. "kmeans"
    seed: Mapped[int] = mapped_column(Integer)
    k: Mapped[int] = mapped_column(Integer)
    k_fixed: Mapped[bool] = mapped_column(Boolean, default=False)  # set by the analyst
    criterion: Mapped[str] = mapped_column(String(32))  # how k was chosen, e.g. "silhouette"
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # criterion per k
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # features, minimums
    tenants: Mapped[int] = mapped_column(Integer)
    segmented: Mapped[int] = mapped_column(Integer)
    not_enough_data: Mapped[int] = mapped_column(Integer)
    previous_run_id: Mapped[int | None] = mapped_column(ForeignKey("segment_runs.id"))


class Segment(Base):
    """One segment of one run, with what sets it apart and how best to reach it."""

    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("run_id", "code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("segment_runs.id"))
    # Stable across runs: a segment matched to one of the previous run keeps its code and label.
    code: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(80))
    not_enough_data: Mapped[bool] = mapped_column(Boolean, default=False)
    size: Mapped[int] = mapped_column(Integer)
    portrait: Mapped[list[str]] = mapped_column(JSON, default=list)  # sentences
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # feature averages
    centroid: Mapped[list[float]] = mapped_column(JSON, default=list)
    recommended_channel: Mapped[str | None] = mapped_column(String(16))
    recommended_time: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    matched_segment_id: Mapped[int | None] = mapped_column(ForeignKey("segments.id"))


class SegmentMembership(Base):
    """Which segment a tenant was in at one run: the history of their movements."""

    __tablename__ = "segment_memberships"
    __table_args__ = (
        UniqueConstraint("run_id", "respondent_id"),
        Index("ix_segment_memberships_respondent", "respondent_id", "run_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("segment_runs.id"))
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondents.id"))
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id"))
    code: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(80))
    assigned_at: Mapped[datetime.datetime] = mapped_column(default=utcnow)
