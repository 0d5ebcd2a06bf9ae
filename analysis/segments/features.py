"""Communication-preference features: one row per tenant (see docs/analysis.md).

What tenants told us (profile attributes from the questionnaires) next to what they do
(channels reached and answered on, response and completion rates, reply latency and time).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Select, select

from analysis.frames.catalog import Catalog, load_catalog
from analysis.frames.columnar import prefetch
from analysis.frames.sql import json_text, read_frame
from analysis.frames.values import decode_values
from analysis.segments import contact
from bot.questionnaire.registry import QuestionnaireRegistry
from bot.storage.models import AnswerStatus
from bot.storage.tables import ANSWERS, PROFILE, SESSIONS

STATED_CHANNELS = ("sms", "whatsapp", "telegram", "web_chat", "phone", "email", "letter")
TIMES = ("morning", "afternoon", "evening", "weekend")
DIGITAL = ("smartphone", "home_internet", "computer_or_tablet", "none")
AGE_ORDER = {
    "age_16_24": 1, "age_25_34": 2, "age_35_44": 3, "age_45_54": 4, "age_55_64": 5,
    "age_65_74": 6, "age_75_84": 7, "age_85_plus": 8,
}  # fmt: skip
PROFILE_NAMES = (
    "preferred_channel", "preferred_times", "language", "communication_needs",
    "digital_access", "age_band",
)  # fmt: skip
MIN_CONTACTS = 2  # sessions that reached a tenant before their behaviour says something


def tenant_features(
    connection: Connection,
    *,
    registry: QuestionnaireRegistry | None = None,
    catalog: Catalog | None = None,
    min_contacts: int = MIN_CONTACTS,
) -> pd.DataFrame:
    """One row per tenant (not erased), indexed by respondent id; columns in DATA_DICTIONARY."""
    catalog = catalog or load_catalog(connection, registry=registry)
    dialect = connection.dialect.name
    # Every query goes to the reader at once; each frame is worked on as it arrives. What
    # tenants told us first, so it is worked on while the outbox (the longest read) is read.
    prefetch(connection, [
        contact.identities_query(), _profile_query(), _need_query(),
        contact.sessions_query(dialect), contact.activity_query(dialect),
        contact.undelivered_query(), contact.respondents_query(),
    ])  # fmt: skip
    reach = contact.identities(connection)
    stated = stated_features(connection, catalog)
    # "No" to "do you have a communication need?" leaves nothing in the profile: read it
    # from the answers, so "no need" is known and not mistaken for "not told".
    answered = _need_answers(connection)
    told = stated.get("has_communication_need")
    need = answered.reindex(stated.index.union(answered.index)).astype("boolean")
    if told is not None:
        need = told.reindex(need.index).astype("boolean").fillna(need)
    stated = stated.reindex(need.index)
    stated["has_communication_need"] = need
    sessions = contact.sessions(connection)
    people = contact.respondents(connection).set_index("respondent_id")
    zones = people["timezone"].fillna("Europe/London")
    sessions = sessions[sessions["respondent_id"].isin(people.index)]
    behaviour = contact.contact_features(sessions, zones)

    frame = _complete(people[["tenant_ref"]].join(reach).join(behaviour).join(stated))
    for channel in contact.CHANNELS:
        for prefix in ("holds", "opted_out"):
            frame[f"{prefix}_{channel}"] = frame[f"{prefix}_{channel}"].fillna(False).astype(bool)
    count_prefixes = ("invited", "reached", "replied", "completed", "channels")
    counts = [c for c in frame.columns if c.split("_")[0] in count_prefixes]
    frame[counts] = frame[counts].fillna(0).astype(np.int64)
    # The main language: as told in a questionnaire, else as set on the tenant.
    frame["language"] = frame["language"].fillna(people["respondent_language"]).astype("string")
    # Behaviour says something once a tenant has been reached a few times and has replied;
    # a stated preference says it at once. Everyone else is "not enough data yet".
    heard = (frame["reached"] >= min_contacts) & (frame["replied"] >= 1)
    frame["enough_data"] = heard | frame["stated_channel"].notna()
    return frame


def _complete(frame: pd.DataFrame) -> pd.DataFrame:
    """Every feature column, even when nothing feeds it yet (no messages, no profiles)."""
    channels = contact.CHANNELS
    wanted: dict[str, bool | int | float | None] = {}
    for prefix in ("holds", "opted_out"):
        wanted.update({f"{prefix}_{c}": False for c in channels})
    for measure in ("invited", "reached", "replied", "completed"):
        wanted.update({measure: 0, **{f"{measure}_{c}": 0 for c in channels}})
    wanted.update(channels_reached=0, channels_answered=0)
    rates = ["response_rate", "completion_rate", "completion_after_reply",
             "first_reply_minutes", "reply_seconds"]  # fmt: skip
    for c in channels:
        rates += [f"response_rate_{c}", f"completion_rate_{c}", f"reply_share_{c}"]
    rates += [f"replies_{band}" for band in contact.BANDS] + ["age_order"]
    wanted.update(dict.fromkeys(rates, np.nan))
    flags = [f"stated_{t}" for t in TIMES] + [f"digital_{d}" for d in DIGITAL]
    wanted.update(dict.fromkeys([*flags, "has_communication_need"], None))
    texts = ["stated_channel", "language", "age_band", "communication_needs"]
    wanted.update(dict.fromkeys(texts, None))
    for name, default in wanted.items():
        if name in frame.columns:
            continue
        if name in flags or name == "has_communication_need":
            frame[name] = pd.Series(pd.NA, index=frame.index, dtype="boolean")
        elif name in texts:
            frame[name] = pd.Series(pd.NA, index=frame.index, dtype="string")
        else:
            frame[name] = default
    if "last_reply_at" not in frame.columns:
        frame["last_reply_at"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    return frame


def _need_query() -> Select[Any]:
    return (
        select(ANSWERS.c.id, SESSIONS.c.respondent_id, json_text(ANSWERS.c.value).label("value"))
        .join(SESSIONS, SESSIONS.c.id == ANSWERS.c.session_id)
        .where(
            ANSWERS.c.question == "has_communication_need",
            ANSWERS.c.status == AnswerStatus.CURRENT.value,
            ANSWERS.c.skipped.is_(False),
        )
    )


def _need_answers(connection: Connection) -> pd.Series:
    frame = read_frame(connection, _need_query(), texts=("value",)).sort_values("id")
    latest = frame.drop_duplicates("respondent_id", keep="last").set_index("respondent_id")
    return (latest["value"].astype(str).str.strip() == "true").astype("boolean")


def _profile_query() -> Select[Any]:
    return select(
        PROFILE.c.respondent_id, PROFILE.c.name, json_text(PROFILE.c.value).label("value_json")
    ).where(PROFILE.c.superseded_at.is_(None), PROFILE.c.name.in_(PROFILE_NAMES))


def _current_profile(connection: Connection) -> pd.DataFrame:
    query = _profile_query()
    frame = read_frame(connection, query, categories=("name",), texts=("value_json",))
    # One current value per name is the rule; keep the newest if a race ever left two.
    return frame.drop_duplicates(["respondent_id", "name"], keep="last").reset_index(drop=True)


def stated_features(connection: Connection, catalog: Catalog) -> pd.DataFrame:
    """What tenants told us: channel, times, language, needs, digital access, age band."""
    profile = _current_profile(connection)
    result = pd.DataFrame(index=pd.Index(profile["respondent_id"].unique(), name="respondent_id"))
    single = profile[profile["name"].isin(["preferred_channel", "language", "age_band"])]
    for name, column in (("preferred_channel", "stated_channel"), ("language", "language"),
                         ("age_band", "age_band")):  # fmt: skip
        rows = single[single["name"] == name]
        names = _profile_names(rows["value_json"], catalog.profile_choices(name))
        result[column] = pd.Series(names.to_numpy(), index=rows["respondent_id"])
    result["age_order"] = result["age_band"].map(AGE_ORDER).astype("Float64")
    for name, prefix, options in (
        ("preferred_times", "stated", TIMES),
        ("digital_access", "digital", DIGITAL),
        ("communication_needs", "needs", None),
    ):
        flags = _multi_flags(profile, name, catalog.profile_choices(name))
        known = pd.Index(profile.loc[profile["name"] == name, "respondent_id"].unique())
        wanted = options if options is not None else tuple(str(c) for c in flags.columns)
        for option in wanted:
            flag = flags[option] if option in flags.columns else pd.Series(dtype=bool)
            series = flag.reindex(known, fill_value=False).astype("boolean")
            result[f"{prefix}_{option}"] = series.reindex(result.index)
        if name == "communication_needs":
            need_columns = [c for c in flags.columns if c != "none"]
            any_need = flags[need_columns].any(axis=1) if need_columns else None
            series = (
                any_need.reindex(known, fill_value=False)
                if any_need is not None
                else pd.Series(False, index=known)
            )
            result["has_communication_need"] = series.astype("boolean").reindex(result.index)
            result["communication_needs"] = _joined(flags[need_columns] if need_columns else None)
    for column in ("stated_channel", "language", "age_band"):
        result[column] = result[column].astype("string")
    return result


def _profile_names(raw: pd.Series, names: dict[int, str]) -> pd.Series:
    """Stored names as they are; a value an older version kept as a code, by its name."""
    decoded = decode_values(raw)
    codes = decoded["number"].astype("Int64").map(names)
    return decoded["text"].fillna(codes).astype("string")


def _multi_flags(profile: pd.DataFrame, name: str, names: dict[int, str]) -> pd.DataFrame:
    rows = profile[profile["name"] == name]
    # A few hundred distinct answers among 100,000 tenants: each is decoded once.
    codes, distinct = pd.factorize(rows["value_json"].to_numpy(dtype=object))
    parsed = [_chosen(raw, names) for raw in distinct] + [[]]  # code -1: nothing stored
    lengths = np.array([len(options) for options in parsed])[codes]
    respondents = np.repeat(rows["respondent_id"].to_numpy(), lengths)
    if not len(respondents):
        return pd.DataFrame(index=pd.Index([], name="respondent_id"))
    chosen = pd.DataFrame({
        "respondent_id": respondents,
        "option": [option for code in codes for option in parsed[code]],
    })  # fmt: skip
    counts = chosen.groupby(["respondent_id", "option"]).size().unstack("option", fill_value=0)
    return counts > 0


def _chosen(raw: object, names: dict[int, str]) -> list[str]:
    """The option names in one stored value (a list of names or codes, or a single one)."""
    value = json.loads(raw) if isinstance(raw, str) else None
    options: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            options.append(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            options.append(names.get(item, str(item)))
    return options


def _joined(flags: pd.DataFrame | None) -> pd.Series:
    if flags is None or flags.empty:
        return pd.Series(dtype="string")
    joined = pd.Series("", index=flags.index, dtype="string")
    for column in flags.columns:
        joined = joined.where(~flags[column], joined + np.where(joined == "", "", "; ") + column)
    return joined.where(joined != "")


DATA_DICTIONARY: dict[str, str] = {
    "tenant_ref": "The landlord's tenant reference.",
    "holds_<channel>": "Has an address on sms, whatsapp, telegram or webchat that has not "
    "opted out.",
    "opted_out_<channel>": "Has opted out (STOP) on that channel.",
    "invited[_<channel>]": "Sessions opened (invitations or tenant-started), all or per channel.",
    "reached[_<channel>]": "Sessions where at least one message got through (not failed).",
    "replied[_<channel>]": "Sessions with at least one reply from the tenant.",
    "completed[_<channel>]": "Sessions completed.",
    "response_rate[_<channel>]": "replied / reached (empty when never reached).",
    "completion_rate[_<channel>]": "completed / reached.",
    "completion_after_reply": "completed / replied: how often a started survey is finished.",
    "reply_share_<channel>": "Share of the tenant's answered sessions on that channel.",
    "channels_reached": "Number of channels with at least one session that got through.",
    "channels_answered": "Number of channels the tenant has replied on.",
    "first_reply_minutes": "Median minutes from invitation to first reply, over answered sessions.",
    "reply_seconds": "Median over conversations of the mean seconds between consecutive "
    "replies (a pause over an hour counts as an hour): how quickly they answer once engaged.",
    "replies_<band>": "Share of first replies in each local time band: weekday morning "
    "(06-12), afternoon (12-17), evening (17-22), weekend (Sat-Sun 06-22), night (22-06).",
    "last_reply_at": "When the tenant last replied (UTC).",
    "stated_channel": "Preferred channel as told: sms, whatsapp, telegram, web_chat, phone, "
    "email, letter.",
    "stated_<time>": "Chose morning, afternoon, evening or weekend as a good time "
    "(empty: unknown).",
    "language": "Main language as told, else the tenant's set language.",
    "digital_<option>": "Has a smartphone, home internet, a computer or tablet, or none of these.",
    "needs_<need>": "Communication needs as told (large_print, interpreter, ...).",
    "has_communication_need": "Told us about at least one communication need.",
    "communication_needs": "The needs told, joined with '; '.",
    "age_band": "Age band as told; age_order numbers them 1 (16-24) to 8 (85+).",
    "enough_data": "Reached in at least 2 sessions and replied at least once, or told us "
    "their preferred channel.",
}
