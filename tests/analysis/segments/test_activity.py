"""Per-session activity from the outbox equals the plain pandas definition it replaced."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.segments.contact import PAUSE_CAP, _per_session


def _pandas_reference(rows: pd.DataFrame) -> pd.DataFrame:
    """The groupby formulation segmentation used before (kept here as the definition)."""
    by_session = rows.groupby("session_id")
    activity = pd.DataFrame({
        "reached": by_session["delivered"].max(),
        "replies": by_session["reply_at"].count(),
        "first_reply_at": by_session["reply_at"].min(),
    })  # fmt: skip
    replies = rows[["session_id", "reply_at"]].dropna()
    replies = replies.sort_values(["session_id", "reply_at"], kind="stable")
    gaps = replies["reply_at"].diff()
    gaps[replies["session_id"].ne(replies["session_id"].shift()).to_numpy()] = np.nan
    capped = gaps.where(~(gaps > PAUSE_CAP), PAUSE_CAP).dropna()
    pace = capped.groupby(replies.loc[capped.index, "session_id"]).mean()
    activity["reply_seconds"] = pace.astype(float)
    return activity


def test_activity_per_session_equals_the_pandas_definition() -> None:
    generator = np.random.default_rng(5)
    size = 20_000
    session = generator.integers(3, 2_000, size)  # ids with gaps, rows in no order
    delivered = (generator.random(size) > 0.1).astype(np.int64)
    reply_at = 1.7e9 + generator.random(size) * 86_400 * 3  # pauses above and below the cap
    reply_at[generator.random(size) < 0.3] = np.nan  # messages nobody answered
    reply_at[::50] = reply_at[1::50][: len(reply_at[::50])]  # equal reply times
    session[:40] = 2_500  # a session whose messages were never answered
    reply_at[:40] = np.nan
    session[40] = 2_600  # a session with one reply: no pace
    reply_at[40] = 1.7e9
    rows = pd.DataFrame({"session_id": session, "delivered": delivered, "reply_at": reply_at})
    expected = _pandas_reference(rows)
    actual = _per_session(session, reply_at, session[delivered == 0])
    pd.testing.assert_frame_equal(actual, expected, check_exact=True)
    assert actual.loc[2_500, "replies"] == 0
    assert actual["reply_seconds"].isna()[2_600]


def test_replies_already_in_time_order_give_the_same_activity() -> None:
    """Messages as the outbox holds them (in time order, sessions interleaved, some
    replies at the same second): the stable sort by session alone is the order."""
    generator = np.random.default_rng(11)
    size = 20_000
    session = generator.integers(1, 1_500, size)
    reply_at = np.sort(np.round(1.7e9 + generator.random(size) * 86_400 * 3))
    reply_at[generator.random(size) < 0.3] = np.nan
    delivered = (generator.random(size) > 0.05).astype(np.int64)
    rows = pd.DataFrame({"session_id": session, "delivered": delivered, "reply_at": reply_at})
    actual = _per_session(session, reply_at, session[delivered == 0])
    pd.testing.assert_frame_equal(actual, _pandas_reference(rows), check_exact=True)
